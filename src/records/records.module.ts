import { Module } from '@nestjs/common';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { KommunerModule } from '../kommuner/kommuner.module';
import { RecordsBulkController } from './records-bulk.controller';
import { RecordsBulkService } from './records-bulk.service';
import { RecordsController } from './records.controller';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { RecordReader } from './record-reader';
import { RecordRetentionService } from './record-retention.service';
import { UpsertBatcher } from './upsert-batcher';

@Module({
  imports: [KommunerModule],
  controllers: [RecordsController, RecordsBulkController],
  providers: [
    RecordsService,
    RecordsBulkService,
    RecordsRepository,
    IdempotencyService,
    UpsertBatcher,
    RecordReader,
    RecordRetentionService,
  ],
  exports: [RecordsService, RecordRetentionService],
})
export class RecordsModule {}
