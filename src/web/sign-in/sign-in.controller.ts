import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GuardedRequest } from '../../auth/access.guard';
import { Authorize, Public, WebPage } from '../../auth/authorize.decorator';
import { WebSessions } from '../../auth/web-session/web-sessions.service';
import { AuditService } from '../../audit/audit.service';
import { html } from '../views/html';
import { isLang, t } from '../views/i18n';
import { page } from '../views/layout';
import { WebExceptionFilter } from '../web-exception.filter';
import { langCookie, langOf, pageContext, redirectAfterPost, sendPage } from '../web-request';
import { OidcClient, SignInError } from './oidc-client';

/** Paths a sign-in or a language switch may return to: our own pages, nothing else (no open redirect). */
const OWN_PAGE = /^\/app(\/[A-Za-z0-9/_-]*)?$/;
const safeNext = (next: unknown): string =>
  typeof next === 'string' && OWN_PAGE.test(next) ? next : '/app/home';

@Controller('app')
@UseFilters(WebExceptionFilter)
export class SignInController {
  constructor(
    private readonly oidc: OidcClient,
    private readonly sessions: WebSessions,
    private readonly audit: AuditService,
  ) {}

  /** The front door: signed in → home; otherwise the identity providers to sign in with. */
  @Get()
  @Public()
  async landing(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (await this.sessions.open(request.headers.cookie))
      return reply.status(303).header('location', '/app/home').send();
    const ctx = pageContext(request);
    const providers = this.oidc.providers();
    const body = html`<p class="lead">${t(ctx.lang, 'signInIntro')}</p>
      ${
        providers.length
          ? html`<ul class="cards">
              ${providers.map(
                (p, i) =>
                  html`<li>
                    <a class="button" href="/app/sign-in?idp=${i}"
                      >${t(ctx.lang, 'signInWith', {
                        name: p.web!.label === 'Demo' ? t(ctx.lang, 'devIdpName') : p.web!.label,
                      })}</a
                    >
                  </li>`,
              )}
            </ul>`
          : html`<p>${t(ctx.lang, 'noIdp')}</p>`
      }`;
    return sendPage(reply, page(ctx, { title: t(ctx.lang, 'signInTitle'), body }));
  }

  @Get('sign-in')
  @Public()
  async signIn(@Query('idp') idp: string, @Query('next') next: string, @Res() reply: FastifyReply) {
    const provider = this.oidc.providers()[Number(idp)];
    if (!provider || !/^[0-9]{1,3}$/.test(idp ?? ''))
      return reply.status(303).header('location', '/app').send();
    const { url, pending } = await this.oidc.start(provider, safeNext(next));
    return reply
      .status(303)
      .header('set-cookie', await this.sessions.pendingCookie(pending))
      .header('cache-control', 'no-store')
      .header('location', url)
      .send();
  }

  /** The identity provider sends the browser back here with a code (or an error). */
  @Get('callback')
  @Public()
  async callback(
    @Query('code') code: string | undefined,
    @Query('state') state: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const pending = await this.sessions.openPending(request.headers.cookie);
    try {
      if (!pending || !state || state !== pending.state)
        throw new SignInError('the sign-in was not started here, or has expired');
      if (!code) throw new SignInError('the identity provider answered without a code');
      const principal = await this.oidc.finish(pending, code);
      const { cookie } = await this.sessions.start(principal);
      await this.audit.record({
        kommunCode: principal.kommunCode ?? null,
        actor: {
          kind: principal.roles.includes('operator') ? 'operator' : 'person',
          subject: principal.subject,
          role: principal.roles[0] ?? null,
        },
        action: 'auth:sign-in',
        outcome: 'allowed',
        requestId: String(request.id),
        detail: { via: 'web', issuer: pending.issuer },
      });
      // A page, not a redirect: the browser arrives here from the provider's site, and a SameSite=Strict
      // cookie set now would not go with a redirect that continues that cross-site navigation.
      const next = safeNext(pending.next);
      void reply.header('set-cookie', [cookie, this.sessions.clearPendingCookie()]);
      return sendPage(
        reply,
        page(
          { ...ctx, principal },
          {
            title: t(ctx.lang, 'signIn'),
            body: html`<p><a href="${next}" data-follow>${t(ctx.lang, 'backHome')}</a></p>`,
            redirectTo: next,
          },
        ),
      );
    } catch (err) {
      if (!(err instanceof SignInError)) throw err;
      await this.audit.record({
        kommunCode: null,
        actor: { kind: 'anonymous', subject: null, role: null },
        action: 'auth:sign-in',
        outcome: 'denied',
        requestId: String(request.id),
        detail: { via: 'web', code: 'AUTH.WEB_SIGN_IN_FAILED', reason: err.message },
      });
      void reply.header('set-cookie', this.sessions.clearPendingCookie());
      return sendPage(
        reply,
        page(ctx, {
          title: t(ctx.lang, 'errorTitle'),
          body: html`<p>${err.message}</p>
            <p><a href="/app">${t(ctx.lang, 'signIn')}</a></p>`,
        }),
        400,
      );
    }
  }

  @Post('sign-out')
  @WebPage()
  @Authorize('me:read')
  @RouteConfig({ form: true })
  signOut(@Req() request: GuardedRequest, @Res() reply: FastifyReply) {
    void reply.header('set-cookie', this.sessions.clearCookie());
    void request;
    return redirectAfterPost(reply, '/app');
  }

  /** One click to the other language; kept in a cookie, back to the same page. */
  @Get('lang')
  @Public()
  lang(
    @Query('to') to: string,
    @Query('back') back: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const lang = isLang(to) ? to : langOf(request);
    return reply
      .status(303)
      .header('set-cookie', langCookie(lang, this.sessions.secure))
      .header('location', OWN_PAGE.test(back ?? '') ? back : '/app')
      .send();
  }
}
