import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { RecordsModule } from '../records/records.module';
import { MeConsentsController } from './me-consents.controller';
import { MeController } from './me.controller';
import { MeService } from './me.service';

/** The signed-in person's own view: who they are and their children (GDPR rights build on it). */
@Module({
  imports: [RecordsModule, ConsentModule],
  controllers: [MeController, MeConsentsController],
  providers: [MeService],
  exports: [MeService],
})
export class MeModule {}
