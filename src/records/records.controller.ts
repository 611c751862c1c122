import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagFor, etagMatches } from '../common/http/etag';
import { KommunCode, RecordId } from '../common/http/path-params';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import { ChangeResource, RecordResource } from './record.mapper';
import { canonicalJson, sha256Hex } from './record-content';
import { ChangesQueryDto, ListRecordsQueryDto } from './records.dto';
import { RecordsService } from './records.service';
import type { AccessContext, GuardedRequest } from '../auth/access.guard';
import { Access, RecordAccess } from '../auth/access-context.decorators';
import { PlatformOutflow } from './platform-outflow';
import { Authorize } from '../auth/authorize.decorator';
import type { RecordScope } from './record-scope';

// Bodies built from stored JSON text are sent as they are, with this type.
const JSON_TYPE = 'application/json; charset=utf-8';

@Controller('v1/kommuner/:kommunCode')
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly outflow: PlatformOutflow,
  ) {}

  @Post('records')
  @Authorize('records:write')
  async upsert(
    @KommunCode() kommunCode: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RecordAccess() scope: RecordScope,
  ): Promise<string> {
    if (idempotencyKey !== undefined && !IdempotencyService.validKey(idempotencyKey)) {
      const detail = 'Idempotency-Key must be 1 to 200 visible ASCII characters.';
      throw new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [
        { parameter: 'Idempotency-Key', detail },
      ]);
    }
    // Only a keyed request needs its fingerprint (same key, other body: 409).
    const requestHash =
      idempotencyKey === undefined
        ? ''
        : sha256Hex(`POST ${request.url.split('?')[0]}\n${canonicalJson(body)}`);
    // The body came through parseStrictJson: already in NFC.
    const r = await this.records.upsert(
      kommunCode,
      body,
      { ifMatch, idempotencyKey, requestHash, normalised: true },
      scope,
    );
    void reply
      .status(r.status)
      .type(JSON_TYPE)
      .header('etag', etagFor(r.version))
      .header('x-upsert-result', r.result);
    (request as GuardedRequest).auditPupils = [r.id];
    if (r.result === 'created') void reply.header('location', `/v1/kommuner/${kommunCode}/records/${r.id}`);
    if (r.replayed) void reply.header('idempotent-replayed', 'true');
    return r.json;
  }

  @Get('records')
  @Authorize('records:read')
  async list(
    @KommunCode() kommunCode: string,
    @Query() query: ListRecordsQueryDto,
    @RecordAccess() scope: RecordScope,
    @Access() access: AccessContext,
  ) {
    const page = await this.records.list(kommunCode, query, scope);
    if (!this.outflow.applies(access)) return page;
    // To a platform: each pupil as the decision point lets them go; those of whom nothing may go are
    // named in `withheld`, so the platform knows it is not a fault (their data stays here).
    const out = await this.outflow.many(kommunCode, page.data, access);
    return {
      data: out.flatMap((o) => (o.released ? [o.resource] : [])),
      nextCursor: page.nextCursor,
      withheld: out.flatMap((o) => (o.released ? [] : [{ recordId: o.id, denied: o.withheld }])),
    };
  }

  @Get('records/:recordId')
  @Authorize('records:read')
  async get(
    @KommunCode() kommunCode: string,
    @RecordId() id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RecordAccess() scope: RecordScope,
    @Access() access: AccessContext,
  ): Promise<string | undefined> {
    const resource = await this.records.get(kommunCode, id, scope);
    void reply.header('etag', etagFor(resource.version));
    if (etagMatches(ifNoneMatch, resource.version)) {
      void reply.status(304);
      return undefined;
    }
    void reply.type(JSON_TYPE);
    if (this.outflow.applies(access))
      return JSON.stringify(await this.outflow.one(kommunCode, resource.parsed(), access));
    return resource.json;
  }

  @Put('records/:recordId')
  @Authorize('records:write')
  async replace(
    @KommunCode() kommunCode: string,
    @RecordId() id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RecordAccess() scope: RecordScope,
  ): Promise<RecordResource> {
    const resource = await this.records.replace(kommunCode, id, body, { ifMatch, normalised: true }, scope);
    void reply.header('etag', etagFor(resource.version));
    return resource;
  }

  @Delete('records/:recordId')
  @Authorize('records:delete')
  @HttpCode(204)
  async delete(
    @KommunCode() kommunCode: string,
    @RecordId() id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @RecordAccess() scope: RecordScope,
  ): Promise<void> {
    await this.records.delete(kommunCode, id, ifMatch, scope);
  }

  @Get('changes')
  @Authorize('changes:read')
  changes(
    @KommunCode() kommunCode: string,
    @Query() query: ChangesQueryDto,
  ): Promise<{ data: ChangeResource[]; nextCursor: string; hasMore: boolean }> {
    return this.records.changes(kommunCode, query);
  }
}
