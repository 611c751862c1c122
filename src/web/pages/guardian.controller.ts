import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessContext } from '../../auth/access.guard';
import { Access, RecordAccess } from '../../auth/access-context.decorators';
import { Authorize, WebPage } from '../../auth/authorize.decorator';
import { RecordId, UuidParam } from '../../common/http/path-params';
import { PURPOSES, type Purpose } from '../../consent/purposes';
import { ConsentsService } from '../../consent/consents.service';
import { MeService } from '../../me/me.service';
import type { RecordScope } from '../../records/record-scope';
import { RecordsService } from '../../records/records.service';
import { SubjectRequestsService } from '../../subject-requests/subject-requests.service';
import { html } from '../views/html';
import { pick, t, type TextKey } from '../views/i18n';
import { may, page, type PageContext } from '../views/layout';
import { WebExceptionFilter } from '../web-exception.filter';
import { pageContext, redirectAfterPost, sendPage } from '../web-request';
import {
  childPage,
  childrenList,
  disclosuresPage,
  requestPage,
  requestsPage,
  type FormErrors,
} from './guardian.views';

type Form = Record<string, string | undefined>;

const NOTICES: Record<string, TextKey> = {
  granted: 'consentGiven',
  withdrawn: 'consentWithdrawn',
  export: 'exportStarted',
  request: 'requestSent',
};
const noticeOf = (ctx: PageContext, done: string | undefined): string | undefined =>
  done && NOTICES[done] ? t(ctx.lang, NOTICES[done]) : undefined;

/**
 * The guardian's and pupil's pages (phone first): their children, consents with one click to give and
 * one to withdraw (GDPR Art. 7(3)) and the receipts, the export and its deadline, who received what,
 * and requests to rectify, restrict or erase. Each route is authorised by the same policy actions as
 * the API's /v1/me routes, and reads through the same services with the same record scope.
 */
@Controller('app')
@WebPage()
@UseFilters(WebExceptionFilter)
export class GuardianPagesController {
  constructor(
    private readonly me: MeService,
    private readonly records: RecordsService,
    private readonly consents: ConsentsService,
    private readonly requests: SubjectRequestsService,
  ) {}

  @Get('home')
  @Authorize('me:read')
  async home(@Access() access: AccessContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const ctx = pageContext(request);
    const me = await this.me.me(access);
    const self = access.role === 'pupil';
    let body;
    if (access.scope === 'ownChildren') {
      body = childrenList(ctx, me.children, self);
    } else {
      const links = (
        [
          ['pupils', '/app/pupils', 'records:read'],
          ['imports', '/app/imports', 'imports:read'],
          ['exports', '/app/exports', 'exports:read'],
          ['transfers', '/app/transfers', 'transfers:read'],
          ['dpoRequests', '/app/dpo/requests', 'requests:read'],
          ['audit', '/app/audit', 'audit:verify'],
          ['policy', '/app/policy', 'policy:read'],
          ['keys', '/app/keys', 'keys:read'],
          ['trust', '/app/trust', 'trust:read'],
        ] as const
      ).filter(([, , action]) => may(access.principal, action, action === 'records:read'));
      body = html`<p>${t(ctx.lang, 'kommun')}: ${access.principal.kommunCode ?? '–'}</p>
        <ul class="cards">
          ${links.map(([key, href]) => html`<li><a class="button secondary" href="${href}">${t(ctx.lang, key)}</a></li>`)}
        </ul>`;
    }
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, self ? 'yourself' : access.scope === 'ownChildren' ? 'yourChildren' : 'home'),
        body,
      }),
    );
  }

  @Get('children/:recordId')
  @Authorize('me:consent')
  async child(
    @RecordId() recordId: string,
    @Query('done') done: string | undefined,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    return sendPage(reply, await this.renderChild(ctx, access, scope, recordId, noticeOf(ctx, done)));
  }

  @Post('children/:recordId/consents')
  @Authorize('me:consent')
  @RouteConfig({ form: true })
  async consent(
    @RecordId() recordId: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const purpose = form.purpose as Purpose;
    const act = form.act === 'withdraw' ? 'withdraw' : form.act === 'grant' ? 'grant' : undefined;
    const kommunCode = access.kommunCode!;
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    const state = await this.consents.state(kommunCode, recordId, record);
    // One click covers every category of the purpose that rests on consent.
    const categories =
      state.purposes.find((p) => p.purpose === purpose)?.categories.filter((c) => c.basis === 'consent') ??
      [];
    if (!PURPOSES.includes(purpose) || !act || !categories.length)
      return redirectAfterPost(reply, `/app/children/${recordId}`);
    await this.consents.act(
      kommunCode,
      recordId,
      record,
      act,
      { purpose, categories: categories.map((c) => c.category), language: ctx.lang },
      { civicNo: access.principal.civicNo!, subject: access.principal.subject, method: 'web' },
    );
    return redirectAfterPost(
      reply,
      `/app/children/${recordId}?done=${act === 'grant' ? 'granted' : 'withdrawn'}`,
    );
  }

  /** A consent's signed receipt (JWT), to keep or to check against the kommun's JWKS. */
  @Get('children/:recordId/receipts/:consentId')
  @Authorize('me:consent')
  async receipt(
    @RecordId() recordId: string,
    @UuidParam('consentId') consentId: string,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Res() reply: FastifyReply,
  ) {
    const kommunCode = access.kommunCode!;
    await this.records.get(kommunCode, recordId, scope); // yours, or 404
    const event = (await this.consents.history(kommunCode, recordId)).find((e) => e.id === consentId);
    if (!event) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    return reply
      .type('application/jwt')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="consent-receipt-${event.id}.jwt"`)
      .send(event.receipt);
  }

  @Get('children/:recordId/disclosures')
  @Authorize('me:requests')
  async disclosures(
    @RecordId() recordId: string,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    await this.records.get(access.kommunCode!, recordId, scope);
    const list = await this.requests.disclosures(access.kommunCode!, recordId);
    return sendPage(
      reply,
      page(ctx, { title: t(ctx.lang, 'disclosuresHeading'), body: disclosuresPage(ctx, recordId, list) }),
    );
  }

  @Post('children/:recordId/export')
  @Authorize('me:requests')
  @RouteConfig({ form: true })
  async export(@RecordId() recordId: string, @Access() access: AccessContext, @Res() reply: FastifyReply) {
    await this.requests.startExport(access, { recordId });
    return redirectAfterPost(reply, '/app/requests?done=export');
  }

  @Post('children/:recordId/requests')
  @Authorize('me:requests')
  @RouteConfig({ form: true })
  async request(
    @RecordId() recordId: string,
    @Body() form: Form,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const kind =
      (['rectification', 'restriction', 'erasure'] as const).find((k) => k === form.kind) ?? 'rectification';
    const description = (form.description ?? '').trim();
    if (!description || description.length > 4000) {
      const errors: FormErrors = {
        errors: [{ field: 'description', text: t(ctx.lang, 'descriptionRequired') }],
        values: { kind, description },
      };
      return sendPage(reply, await this.renderChild(ctx, access, scope, recordId, undefined, errors), 400);
    }
    await this.requests.startRequest(access, { recordId, kind, description });
    return redirectAfterPost(reply, '/app/requests?done=request');
  }

  @Get('requests')
  @Authorize('me:requests')
  async mine(
    @Query('done') done: string | undefined,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const list = await this.requests.mine(access);
    const building = list.some(
      (r) => r.status === 'building' || (r.kind === 'access' && r.status === 'received'),
    );
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'requestsHeading'),
        body: requestsPage(ctx, list),
        notice: noticeOf(ctx, done),
        refreshSeconds: building ? 3 : undefined,
      }),
    );
  }

  /** For the script on the requests page: whether every export package is built. */
  @Get('requests/status')
  @Authorize('me:requests')
  async status(@Access() access: AccessContext, @Req() request: FastifyRequest) {
    const ctx = pageContext(request);
    const list = await this.requests.mine(access);
    const waiting = list.filter(
      (r) => r.status === 'building' || (r.kind === 'access' && r.status === 'received'),
    ).length;
    return {
      done: waiting === 0,
      text: waiting ? pick(ctx.lang, { sv: 'Paketet skapas …', en: 'The package is being built …' }) : '',
    };
  }

  @Get('requests/:requestId')
  @Authorize('me:requests')
  async one(
    @UuidParam('requestId') id: string,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const r = await this.requests.mineOne(access, id);
    return sendPage(reply, page(ctx, { title: t(ctx.lang, 'requestTitle'), body: requestPage(ctx, r) }));
  }

  private async renderChild(
    ctx: PageContext,
    access: AccessContext,
    scope: RecordScope,
    recordId: string,
    notice?: string,
    form?: FormErrors,
  ): Promise<string> {
    const kommunCode = access.kommunCode!;
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    const state = await this.consents.state(kommunCode, recordId, record);
    const history = await this.consents.history(kommunCode, recordId, access.principal.civicNo);
    const self = access.role === 'pupil';
    // Only who may consent now sees the buttons: the pupil from the consent age, guardians before it.
    const mayAct = state.consentBy === 'pupil' ? self : !self;
    return page(ctx, {
      title: t(ctx.lang, self ? 'selfTitle' : 'childTitle'),
      body: html`<p class="lead">${record.pupil.givenName} ${record.pupil.familyName}</p>
        ${childPage(ctx, { recordId, state, history, self, mayAct, form })}`,
      notice,
      errors: form?.errors,
    });
  }
}
