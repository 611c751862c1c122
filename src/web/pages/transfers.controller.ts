import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { AccessContext, GuardedRequest } from '../../auth/access.guard';
import { Access, ActingKommun, RecordAccess } from '../../auth/access-context.decorators';
import { Authorize, WebPage } from '../../auth/authorize.decorator';
import { UuidParam } from '../../common/http/path-params';
import type { RecordScope } from '../../records/record-scope';
import { RecordsService } from '../../records/records.service';
import { InboxDecisions } from '../../transfers/receiving/inbox-decisions';
import { InboxService } from '../../transfers/receiving/inbox.service';
import type { TransferResource } from '../../transfers/sending/transfer.mapper';
import { TransfersService } from '../../transfers/sending/transfers.service';
import { TrustRegistry } from '../../trust/trust-registry.service';
import { t } from '../views/i18n';
import { may, page } from '../views/layout';
import { WebExceptionFilter } from '../web-exception.filter';
import { pageContext, redirectAfterPost, sendPage } from '../web-request';
import {
  inboxItemPage,
  inboxPage,
  newTransferPage,
  previewPage,
  transfersPage,
  trustPage,
} from './transfers.views';

type Form = Record<string, string | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `kommun|skolenhetskod` from the destination list (the unit may be empty: named later). */
function destinationOf(value: string | undefined): { kommun: string; schoolUnit: string | null } | undefined {
  const m = /^([0-9]{4})\|([0-9]{8})?$/.exec(value ?? '');
  return m ? { kommun: m[1], schoolUnit: m[2] ?? null } : undefined;
}

/** What the outbox looks like now, in a few bytes: the page's script reloads when it changes. */
const signatureOf = (outbox: TransferResource[]): string =>
  createHash('sha256')
    .update(outbox.map((x) => `${x.id}:${x.state}`).join(','))
    .digest('base64url')
    .slice(0, 16);

/**
 * Transfers in the registrar's pages: send a pupil to a trusted kommun (see exactly what goes, and on
 * which basis, before sealing), the outbox with its states, and the inbox with the diff against what
 * is held, to accept or reject with a reason. The trust registry at a glance for staff.
 */
@Controller('app')
@WebPage()
@UseFilters(WebExceptionFilter)
export class TransferPagesController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly inbox: InboxService,
    private readonly decisions: InboxDecisions,
    private readonly trust: TrustRegistry,
    private readonly records: RecordsService,
  ) {}

  @Get('transfers')
  @Authorize('transfers:read')
  async outbox(
    @ActingKommun() kommunCode: string,
    @Query('done') done: string | undefined,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const { data } = await this.transfers.list(kommunCode, { limit: 50 });
    const body = transfersPage(ctx, {
      outbox: data,
      maySend: may(access.principal, 'transfers:send'),
      mayReceive: may(access.principal, 'transfers:receive'),
      signature: signatureOf(data),
    });
    const notice = done === 'sent' ? t(ctx.lang, 'transferSent') : undefined;
    return sendPage(reply, page(ctx, { title: t(ctx.lang, 'transfers'), body, notice, refreshSeconds: 10 }));
  }

  /** For the outbox's script: whether anything moved since the page was made. */
  @Get('transfers/progress')
  @Authorize('transfers:read')
  async progress(@ActingKommun() kommunCode: string, @Query('since') since: string | undefined) {
    const { data } = await this.transfers.list(kommunCode, { limit: 50 });
    return { done: signatureOf(data) !== since };
  }

  @Get('transfers/new')
  @Authorize('transfers:send')
  async start(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const peers = await this.trust.list(kommunCode);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'sendTransfer'),
        body: newTransferPage(ctx, { q: '', pupils: [], peers }),
      }),
    );
  }

  /** The pupil search, by POST (no name in a URL). */
  @Post('transfers/new')
  @Authorize('transfers:send')
  @RouteConfig({ form: true })
  async search(
    @ActingKommun() kommunCode: string,
    @Body() form: Form,
    @RecordAccess() scope: RecordScope,
    @Req() request: GuardedRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const q = (form.q ?? '').trim().slice(0, 100);
    const { data } = await this.records.list(kommunCode, { limit: 20, q: q || undefined }, scope);
    request.auditPupils = data.map((r) => r.id);
    const peers = await this.trust.list(kommunCode);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'sendTransfer'),
        body: newTransferPage(ctx, { q, pupils: data, peers }),
      }),
    );
  }

  /** Exactly what would go, category by category and on which basis, before anything is sealed. */
  @Post('transfers/preview')
  @Authorize('transfers:send')
  @RouteConfig({ form: true })
  async preview(
    @ActingKommun() kommunCode: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const to = destinationOf(form.destination);
    if (!to || !UUID.test(form.recordId ?? '')) return redirectAfterPost(reply, '/app/transfers/new');
    const recordId = form.recordId!;
    const preview = await this.transfers.preview(
      kommunCode,
      {
        recordId,
        receiverKommun: to.kommun,
        receiverSchoolUnit: to.schoolUnit ?? undefined,
        deliver: 'push',
      },
      access,
    );
    const pupil = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'preview'),
        body: previewPage(ctx, {
          pupil,
          receiver: preview.receiver,
          decision: preview.decision,
          sendable: preview.sendable,
        }),
      }),
    );
  }

  @Post('transfers/send')
  @Authorize('transfers:send')
  @RouteConfig({ form: true })
  async send(
    @ActingKommun() kommunCode: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @Res() reply: FastifyReply,
  ) {
    const to = destinationOf(form.destination);
    if (!to || !UUID.test(form.recordId ?? '')) return redirectAfterPost(reply, '/app/transfers/new');
    await this.transfers.create(
      kommunCode,
      {
        recordId: form.recordId!,
        receiverKommun: to.kommun,
        receiverSchoolUnit: to.schoolUnit ?? undefined,
        deliver: 'push',
      },
      access,
    );
    return redirectAfterPost(reply, '/app/transfers?done=sent');
  }

  @Get('transfers/inbox')
  @Authorize('transfers:receive')
  async inboxList(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const { data } = await this.inbox.list(kommunCode, { limit: 50 });
    return sendPage(
      reply,
      page(ctx, { title: t(ctx.lang, 'inbox'), body: inboxPage(ctx, data), refreshSeconds: 15 }),
    );
  }

  @Get('transfers/inbox/:inboxId')
  @Authorize('transfers:receive')
  async inboxItem(
    @ActingKommun() kommunCode: string,
    @UuidParam('inboxId') id: string,
    @Query('done') done: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const item = await this.inbox.get(kommunCode, id);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'packageTitle'),
        body: inboxItemPage(ctx, item),
        notice: done ? t(ctx.lang, 'decided') : undefined,
      }),
    );
  }

  @Post('transfers/inbox/:inboxId/accept')
  @Authorize('transfers:receive')
  @RouteConfig({ form: true })
  async accept(
    @ActingKommun() kommunCode: string,
    @UuidParam('inboxId') id: string,
    @Access() access: AccessContext,
    @Res() reply: FastifyReply,
  ) {
    await this.decisions.accept(kommunCode, id, access);
    return redirectAfterPost(reply, `/app/transfers/inbox/${id}?done=1`);
  }

  @Post('transfers/inbox/:inboxId/reject')
  @Authorize('transfers:receive')
  @RouteConfig({ form: true })
  async reject(
    @ActingKommun() kommunCode: string,
    @UuidParam('inboxId') id: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const reason = (form.reason ?? '').trim();
    if (!reason) {
      const item = await this.inbox.get(kommunCode, id);
      const error = t(ctx.lang, 'rejectReasonRequired');
      return sendPage(
        reply,
        page(ctx, {
          title: t(ctx.lang, 'packageTitle'),
          body: inboxItemPage(ctx, item, error),
          errors: [{ field: 'reason', text: error }],
        }),
        400,
      );
    }
    await this.decisions.reject(kommunCode, id, reason.slice(0, 2000), access);
    return redirectAfterPost(reply, `/app/transfers/inbox/${id}?done=1`);
  }

  @Get('trust')
  @Authorize('trust:read')
  async trustList(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'trustHeading'),
        body: trustPage(ctx, await this.trust.list(kommunCode)),
      }),
    );
  }
}
