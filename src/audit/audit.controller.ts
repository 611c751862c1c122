import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ActingKommun } from '../auth/access-context.decorators';
import { Authorize, KommunFromQuery } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { KommunCode } from '../common/http/path-params';
import {
  AuditExportQueryDto,
  ListAuditEntriesQueryDto,
  ListCheckpointsQueryDto,
  toDate,
  VerifyOwnChainQueryDto,
} from './audit.dto';
import { AuditEntry, AuditService, Checkpoint, Page, VerificationReport } from './audit.service';
import { actorOf } from '../auth/access-audit';

/** Who exported, for the export's own audit entry; anonymous until the guard names callers. */
/** A kommun's audit chain (kommunCode 0000: the installation's own). */
@Controller('v1/kommuner/:kommunCode/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @Authorize('audit:verify')
  verify(@KommunCode() kommunCode: string): Promise<VerificationReport> {
    return this.audit.verify(kommunCode);
  }

  @Get('entries')
  @Authorize('audit:read')
  list(@KommunCode() kommunCode: string, @Query() q: ListAuditEntriesQueryDto): Promise<Page<AuditEntry>> {
    const { from, to, ...rest } = q;
    return this.audit.list(kommunCode, { ...rest, from: toDate(from), to: toDate(to) });
  }

  @Get('checkpoints')
  @Authorize('audit:read')
  checkpoints(
    @KommunCode() kommunCode: string,
    @Query() q: ListCheckpointsQueryDto,
  ): Promise<Page<Checkpoint>> {
    return this.audit.listCheckpoints(kommunCode, q);
  }

  @Post('checkpoints')
  @Authorize('audit:verify')
  async checkpoint(
    @KommunCode() kommunCode: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Checkpoint> {
    const { checkpoint, created } = await this.audit.checkpoint(kommunCode);
    void reply.status(created ? 201 : 200);
    return checkpoint;
  }

  @Get('export')
  @Authorize('audit:export')
  async export(
    @KommunCode() kommunCode: string,
    @Query() q: AuditExportQueryDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    const lines = await this.audit.export(
      kommunCode,
      { recordId: q.recordId?.toLowerCase(), from: toDate(q.from), to: toDate(q.to) },
      { actor: actorOf(principal), requestId: request.id },
    );
    const day = new Date().toISOString().slice(0, 10);
    void reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${kommunCode}-${day}.ndjson"`);
    return Readable.from(lines);
  }
}

/** The caller's own kommun's chain, without naming it in the path (`GET /v1/audit/verify`). */
@Controller('v1/audit')
export class OwnAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @Authorize('audit:verify')
  @KommunFromQuery()
  verify(
    @ActingKommun() kommunCode: string,
    @Query() query: VerifyOwnChainQueryDto,
  ): Promise<VerificationReport> {
    // Validated only: the guard has held `?kommun=` to the policy table, so it is the kommun acted in.
    void query;
    return this.audit.verify(kommunCode);
  }
}
