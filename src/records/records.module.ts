import { Module } from '@nestjs/common';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { ConsentCoreModule } from '../consent/consent-core.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { PlatformOutflow } from './platform-outflow';
import { RecordsBulkController } from './records-bulk.controller';
import { RecordsBulkService } from './records-bulk.service';
import { RecordsController } from './records.controller';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { RecordReader } from './record-reader';
import { RecordRetentionService } from './record-retention.service';
import { UpsertBatcher } from './upsert-batcher';

@Module({
  imports: [KommunerModule, ConsentCoreModule],
  controllers: [RecordsController, RecordsBulkController],
  providers: [
    RecordsService,
    RecordsBulkService,
    RecordsRepository,
    IdempotencyService,
    UpsertBatcher,
    RecordReader,
    RecordRetentionService,
    PlatformOutflow,
  ],
  exports: [RecordsService, RecordRetentionService, PlatformOutflow],
})
export class RecordsModule {}
