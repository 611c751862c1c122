import { Module } from '@nestjs/common';
import { RecordsModule } from '../records/records.module';
import { MeController } from './me.controller';
import { MeService } from './me.service';

/** The signed-in person's own view: who they are and their children (GDPR rights build on it). */
@Module({
  imports: [RecordsModule],
  controllers: [MeController],
  providers: [MeService],
})
export class MeModule {}
