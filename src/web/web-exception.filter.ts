import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loggableError, mapError } from '../common/problem/error-mapping';
import { html } from './views/html';
import { t, type TextKey } from './views/i18n';
import { page } from './views/layout';
import { pageContext, sendPage } from './web-request';

/**
 * Errors on the web pages answer as pages, not problem+json: signed out → to the sign-in page; a
 * refused form, not allowed, not found, or a failure → a page that says so in the person's language,
 * with the request id as a reference (the cause of a 5xx is logged, never shown).
 */
@Catch()
export class WebExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebPages');

  catch(err: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    const mapped = mapError(err);
    if (mapped.unexpected)
      this.logger.error({ err: loggableError(err), reqId: String(request.id) }, 'unexpected error');
    const status = mapped.problem.status;
    if (status === 401) {
      void reply.status(303).header('location', '/app').send();
      return;
    }
    const ctx = pageContext(request);
    const [titleKey, textKey]: [TextKey, TextKey] =
      mapped.code === 'AUTH.CSRF'
        ? ['csrfTitle', 'csrf']
        : status === 403
          ? ['forbiddenTitle', 'forbidden']
          : status === 404 || status === 410
            ? ['notFoundTitle', 'notFound']
            : ['errorTitle', 'errorTitle'];
    const detail = status >= 500 || titleKey !== 'errorTitle' ? t(ctx.lang, textKey) : mapped.detail;
    const body = html`<p>${detail}</p>
      <p class="muted">${t(ctx.lang, 'reference')}: <code>${String(request.id)}</code></p>
      <p><a href="${ctx.principal ? '/app/home' : '/app'}">${t(ctx.lang, 'backHome')}</a></p>`;
    for (const [k, v] of Object.entries(mapped.headers ?? {}))
      if (k.toLowerCase() === 'retry-after') void reply.header(k, v);
    sendPage(reply, page(ctx, { title: t(ctx.lang, titleKey), body }), status);
  }
}
