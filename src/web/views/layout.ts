import type { Action } from '../../auth/actions';
import { decide } from '../../auth/policy';
import type { Principal } from '../../auth/principal';
import { html, type Html } from './html';
import { t, type Lang, type TextKey } from './i18n';

/** What every page knows about its request: the language, where it is, and who is signed in. */
export interface PageContext {
  lang: Lang;
  /** The page's path, without query (it never carries anything about a child). */
  path: string;
  principal?: Principal;
  csrf?: string;
}

export interface PageOptions {
  /** The title in the tab and the page's h1: never a child's name. */
  title: string;
  body: Html;
  /** A status message after a form was sent (role=status). */
  notice?: string;
  /** Errors of a form sent back (the error summary, focused by the script). */
  errors?: { field: string; text: string }[];
  /** Pages that show a job in progress reload themselves without the script. */
  refreshSeconds?: number;
  /** Sends the browser on to one of our own pages at once (after sign-in). */
  redirectTo?: string;
  /** Leaves the h1 out (pages that make their own). */
  h1?: boolean;
}

interface NavItem {
  key: TextKey;
  href: string;
  action: Action;
  /** Only where the policy gives this role a kommun-wide (or school-unit) scope, not own children. */
  staffOnly?: boolean;
}

const NAV: NavItem[] = [
  { key: 'home', href: '/app/home', action: 'me:read' },
  { key: 'myRequests', href: '/app/requests', action: 'me:requests' },
  { key: 'pupils', href: '/app/pupils', action: 'records:read', staffOnly: true },
  { key: 'imports', href: '/app/imports', action: 'imports:read' },
  { key: 'exports', href: '/app/exports', action: 'exports:read' },
  { key: 'transfers', href: '/app/transfers', action: 'transfers:read' },
  { key: 'dpoRequests', href: '/app/dpo/requests', action: 'requests:read' },
  { key: 'audit', href: '/app/audit', action: 'audit:verify' },
  { key: 'policy', href: '/app/policy', action: 'policy:read' },
  { key: 'keys', href: '/app/keys', action: 'keys:read' },
  { key: 'trust', href: '/app/trust', action: 'trust:read' },
];

/** Whether the policy table lets this person do this (the menu shows only what they may open). */
export function may(principal: Principal | undefined, action: Action, staffOnly = false): boolean {
  if (!principal) return false;
  const d = decide(principal, action, undefined);
  return d.allowed && (!staffOnly || d.scope === 'kommun' || d.scope === 'schoolUnit');
}

export const csrfField = (ctx: PageContext): Html =>
  html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}" />`;

function nav(ctx: PageContext): Html {
  const items = NAV.filter((i) => may(ctx.principal, i.action, i.staffOnly));
  if (!items.length) return html``;
  return html`<nav aria-label="${t(ctx.lang, 'nav')}">
    <ul>
      ${items.map(
        (i) =>
          html`<li>
            <a
              href="${i.href}"
              ${ctx.path === i.href || ctx.path.startsWith(`${i.href}/`) ? html` aria-current="page"` : ''}
              >${t(ctx.lang, i.key)}</a
            >
          </li>`,
      )}
    </ul>
  </nav>`;
}

function errorSummary(ctx: PageContext, errors: { field: string; text: string }[]): Html {
  return html`<div class="error-summary" role="alert" tabindex="-1" data-focus>
    <h2>${t(ctx.lang, 'errorSummary')}</h2>
    <ul>
      ${errors.map((e) => html`<li><a href="#${e.field}">${e.text}</a></li>`)}
    </ul>
  </div>`;
}

/** The whole page: the same shell everywhere (language, skip link, menu, sign-out, one CSS and one script). */
export function page(ctx: PageContext, o: PageOptions): string {
  const other: Lang = ctx.lang === 'sv' ? 'en' : 'sv';
  const title = o.errors?.length ? `${t(ctx.lang, 'errorSummary')}: ${o.title}` : o.title;
  return html`<!doctype html>
    <html lang="${ctx.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <link rel="icon" href="data:," />
        <title>${title} – portabel</title>
        <link rel="stylesheet" href="/app/static/app.css" />
        <script src="/app/static/app.js" defer></script>
        ${o.redirectTo ? html`<meta http-equiv="refresh" content="0;url=${o.redirectTo}" />` : ''}
        ${o.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${o.refreshSeconds}" /></noscript>` : ''}
      </head>
      <body>
        <a class="skip" href="#main">${t(ctx.lang, 'skip')}</a>
        <header class="top">
          <div class="wrap bar">
            <a class="brand" href="${ctx.principal ? '/app/home' : '/app'}">portabel</a>
            <div class="tools">
              <a
                href="/app/lang?to=${other}&amp;back=${encodeURIComponent(ctx.path)}"
                lang="${other}"
                hreflang="${other}"
                >${t(ctx.lang, 'switchLang')}</a
              >
              ${
                ctx.principal
                  ? html`<form method="post" action="/app/sign-out" class="inline">
                      ${csrfField(ctx)}<button type="submit" class="link">${t(ctx.lang, 'signOut')}</button>
                    </form>`
                  : ''
              }
            </div>
          </div>
          <div class="wrap">${nav(ctx)}</div>
        </header>
        <main id="main" tabindex="-1">
          <div class="wrap">
            ${o.errors?.length ? errorSummary(ctx, o.errors) : ''}
            ${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ''}
            ${o.h1 === false ? '' : html`<h1>${o.title}</h1>`} ${o.body}
          </div>
        </main>
        <footer class="foot">
          <div class="wrap">
            ${ctx.principal?.name ? t(ctx.lang, 'signedInAs', { name: ctx.principal.name }) : ''}
          </div>
        </footer>
      </body>
    </html>`.value;
}
