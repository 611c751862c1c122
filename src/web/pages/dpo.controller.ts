import { Body, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessContext } from '../../auth/access.guard';
import { Access, ActingKommun } from '../../auth/access-context.decorators';
import { Authorize, WebPage } from '../../auth/authorize.decorator';
import { AuditService } from '../../audit/audit.service';
import { UuidParam } from '../../common/http/path-params';
import { ConsentPoliciesService } from '../../consent/consent-policies.service';
import { KeysService } from '../../keys/keys.service';
import { SubjectRequestsService } from '../../subject-requests/subject-requests.service';
import { t } from '../views/i18n';
import { may, page } from '../views/layout';
import { WebExceptionFilter } from '../web-exception.filter';
import { pageContext, redirectAfterPost, sendPage } from '../web-request';
import { auditPage, dpoRequestPage, dpoRequestsPage, keysPage, policyPage } from './dpo.views';

type Form = Record<string, string | undefined>;

/** The DPO's and administrator's pages: requests by deadline, the audit chain, policy and keys. */
@Controller('app')
@WebPage()
@UseFilters(WebExceptionFilter)
export class DpoPagesController {
  constructor(
    private readonly requests: SubjectRequestsService,
    private readonly audit: AuditService,
    private readonly policies: ConsentPoliciesService,
    private readonly keys: KeysService,
  ) {}

  @Get('dpo/requests')
  @Authorize('requests:read')
  async list(@ActingKommun() kommunCode: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const ctx = pageContext(request);
    const open = await this.requests.list(kommunCode, true);
    return sendPage(
      reply,
      page(ctx, { title: t(ctx.lang, 'requestsByDeadline'), body: dpoRequestsPage(ctx, open) }),
    );
  }

  @Get('dpo/requests/:requestId')
  @Authorize('requests:read')
  async one(
    @ActingKommun() kommunCode: string,
    @UuidParam('requestId') id: string,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const r = await this.requests.get(kommunCode, id);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'requestTitle'),
        body: dpoRequestPage(ctx, r, may(access.principal, 'requests:manage')),
      }),
    );
  }

  @Post('dpo/requests/:requestId')
  @Authorize('requests:manage')
  @RouteConfig({ form: true })
  async move(
    @ActingKommun() kommunCode: string,
    @UuidParam('requestId') id: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const status = (['in_review', 'done', 'refused'] as const).find((s) => s === form.status);
    const reason = (form.reason ?? '').trim() || undefined;
    if (!status || (status === 'refused' && !reason)) {
      const r = await this.requests.get(kommunCode, id);
      const error = t(ctx.lang, 'reasonRequired');
      return sendPage(
        reply,
        page(ctx, {
          title: t(ctx.lang, 'requestTitle'),
          body: dpoRequestPage(ctx, r, true, error),
          errors: [{ field: 'reason', text: error }],
        }),
        400,
      );
    }
    await this.requests.transition(kommunCode, id, { status, reason }, access);
    return redirectAfterPost(reply, `/app/dpo/requests/${id}`);
  }

  @Get('audit')
  @Authorize('audit:verify')
  async verify(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const report = await this.audit.verify(kommunCode);
    return sendPage(reply, page(ctx, { title: t(ctx.lang, 'auditHeading'), body: auditPage(ctx, report) }));
  }

  @Get('policy')
  @Authorize('policy:read')
  async policy(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const policy = await this.policies.inForce(kommunCode);
    return sendPage(reply, page(ctx, { title: t(ctx.lang, 'policyHeading'), body: policyPage(ctx, policy) }));
  }

  @Get('keys')
  @Authorize('keys:read')
  async keyList(
    @ActingKommun() kommunCode: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    return sendPage(
      reply,
      page(ctx, { title: t(ctx.lang, 'keysHeading'), body: keysPage(ctx, await this.keys.list(kommunCode)) }),
    );
  }
}
