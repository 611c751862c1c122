import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { KommunCode } from '../common/http/path-params';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import { BulkSummary, RecordsBulkService } from './records-bulk.service';

@Controller('v1/kommuner/:kommunCode/records/bulk')
export class RecordsBulkController {
  constructor(private readonly bulk: RecordsBulkService) {}

  /** Many records as NDJSON (one learner record per line), streamed, written in batches. */
  @Post()
  @HttpCode(200)
  ingest(
    @KommunCode() kommunCode: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ): Promise<BulkSummary> {
    if (
      !contentType?.startsWith('application/x-ndjson') ||
      !body ||
      typeof (body as Readable).pipe !== 'function'
    ) {
      throw new DomainError(
        PROBLEMS.unsupportedMediaType,
        'BULK.MEDIA_TYPE',
        'Send the records as application/x-ndjson: one learner record per line.',
      );
    }
    return this.bulk.ingest(kommunCode, body as Readable);
  }
}
