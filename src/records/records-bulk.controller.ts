import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { KommunCode } from '../common/http/path-params';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import { BulkSummary, RecordsBulkService } from './records-bulk.service';
import { RecordAccess } from '../auth/access-context.decorators';
import { Authorize } from '../auth/authorize.decorator';
import type { RecordScope } from './record-scope';

@Controller('v1/kommuner/:kommunCode/records/bulk')
export class RecordsBulkController {
  constructor(private readonly bulk: RecordsBulkService) {}

  /** Many records as NDJSON (one learner record per line), streamed, written in batches. */
  @Post()
  @Authorize('records:write')
  @HttpCode(200)
  ingest(
    @KommunCode() kommunCode: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @RecordAccess() scope: RecordScope,
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
    return this.bulk.ingest(kommunCode, body as Readable, scope);
  }
}
