import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GuardedRequest } from '../auth/access.guard';
import { parseCookies } from '../auth/web-session/web-sessions.service';
import { isLang, type Lang } from './views/i18n';
import type { PageContext } from './views/layout';

export const LANG_COOKIE = 'portabel-lang';

/** `?lang=` wins for that page, then the cookie (set by the language link, /app/lang), then Swedish. */
export function langOf(request: FastifyRequest): Lang {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(asked)) return asked;
  const kept = parseCookies(request.headers.cookie)[LANG_COOKIE];
  return isLang(kept) ? kept : 'sv';
}

export function langCookie(lang: Lang, secure: boolean): string {
  return `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** What a page needs of its request: language, path, the signed-in person and their form token. */
export function pageContext(request: FastifyRequest): PageContext {
  const session = (request as GuardedRequest).webSession;
  return {
    lang: langOf(request),
    path: request.url.split('?')[0],
    principal: session?.principal,
    csrf: session?.csrf,
  };
}

/** Sends a page as HTML; pages are never cached (they show personal data). */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** After a POST: back to a page with GET (303), optionally with a notice code (never personal data). */
export function redirectAfterPost(reply: FastifyReply, to: string): FastifyReply {
  return reply.status(303).header('location', to).send();
}
