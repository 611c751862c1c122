import { Module } from '@nestjs/common';
import { KommunerModule } from '../../kommuner/kommuner.module';
import { RecordsModule } from '../../records/records.module';
import { Ss12000ApiController } from './ss12000-api.controller';
import { Ss12000ApiService } from './ss12000-api.service';

/** The read-only SS 12000 API (/ss12000/v2/...). */
@Module({
  imports: [RecordsModule, KommunerModule],
  controllers: [Ss12000ApiController],
  providers: [Ss12000ApiService],
})
export class Ss12000ApiModule {}
