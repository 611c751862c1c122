import { AdaptersModule } from '../adapters/adapters.module';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConsentModule } from '../consent/consent.module';
import { JobsModule } from '../jobs/jobs.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { RecordsModule } from '../records/records.module';
import { TransfersModule } from '../transfers/transfers.module';
import { RetentionPurge } from './retention-purge';
import {
  KommunRequestsController,
  MeRequestsController,
  PackagesController,
} from './subject-requests.controller';
import { SubjectRequestsRepository } from './subject-requests.repository';
import { SubjectRequestsService } from './subject-requests.service';

/** Data-subject rights: exports and their packages, rectification, restriction, erasure, retention. */
@Module({
  imports: [
    AdaptersModule,
    AuditModule,
    ConsentModule,
    JobsModule,
    KeysModule,
    KommunerModule,
    RecordsModule,
    TransfersModule,
  ],
  controllers: [MeRequestsController, KommunRequestsController, PackagesController],
  providers: [SubjectRequestsRepository, SubjectRequestsService, RetentionPurge],
  exports: [SubjectRequestsService],
})
export class SubjectRequestsModule {}
