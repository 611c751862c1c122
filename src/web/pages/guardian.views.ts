import { CATEGORY_NAMES, type Category } from '../../consent/categories';
import type { ConsentEventResource, ConsentStateResource } from '../../consent/consents.dto';
import { LEGAL_BASIS_NAMES, PURPOSE_NAMES, type LegalBasis, type Purpose } from '../../consent/purposes';
import type { ChildSummary } from '../../me/me.service';
import type { Disclosure } from '../../subject-requests/summary-html';
import type { SubjectRequestResource } from '../../subject-requests/subject-requests.dto';
import { html, type Html } from '../views/html';
import { formatDate, pick, t, type Lang } from '../views/i18n';
import { csrfField, type PageContext } from '../views/layout';

export interface FormErrors {
  errors: { field: string; text: string }[];
  values: Record<string, string>;
}

export const childrenList = (ctx: PageContext, children: ChildSummary[], self: boolean): Html =>
  children.length
    ? html`<ul class="cards">
        ${children.map(
          (c) =>
            html`<li class="card">
              <h2 class="h3">${c.givenName} ${c.familyName}</h2>
              <p class="muted">
                ${c.enrolments
                  .map((e) =>
                    [
                      t(ctx.lang, 'schoolUnit', { code: e.schoolUnitCode }),
                      e.schoolYear !== undefined ? t(ctx.lang, 'schoolYear', { year: e.schoolYear }) : '',
                    ]
                      .filter(Boolean)
                      .join(', '),
                  )
                  .join('; ')}
              </p>
              <a class="button" href="/app/children/${c.recordId}"
                >${t(ctx.lang, 'open')}<span class="visually-hidden"> ${c.givenName}</span></a
              >
            </li>`,
        )}
      </ul>`
    : html`<p>${self ? t(ctx.lang, 'notFound') : t(ctx.lang, 'noChildren')}</p>`;

const basisBadge = (
  lang: Lang,
  basis: ConsentStateResource['purposes'][number]['categories'][number]['basis'],
  consented: boolean,
): Html => {
  if (basis === 'never') return html`<span class="badge">${t(lang, 'never')}</span>`;
  if (basis === 'consent')
    return consented
      ? html`<span class="badge ok">${t(lang, 'given')}</span>`
      : html`<span class="badge warn">${t(lang, 'notGiven')}</span>`;
  return html`<span class="badge info">${pick(lang, LEGAL_BASIS_NAMES[basis])}</span>`;
};

/** One purpose: which categories flow on which basis, and one button to give, one to withdraw. */
function purposeCard(
  ctx: PageContext,
  recordId: string,
  p: ConsentStateResource['purposes'][number],
  mayAct: boolean,
): Html {
  const onConsent = p.categories.filter((c) => c.basis === 'consent');
  const anyGiven = onConsent.some((c) => c.consented);
  const anyMissing = onConsent.some((c) => !c.consented);
  const form = (act: 'grant' | 'withdraw', label: string, cls: string) =>
    html`<form method="post" action="/app/children/${recordId}/consents" class="inline">
      ${csrfField(ctx)} <input type="hidden" name="purpose" value="${p.purpose}" /><input
        type="hidden"
        name="act"
        value="${act}"
      />
      <button type="submit" class="${cls}">
        ${label}<span class="visually-hidden">: ${pick(ctx.lang, p.name)}</span>
      </button>
    </form>`;
  return html`<section class="purpose" aria-labelledby="purpose-${p.purpose}">
    <h3 id="purpose-${p.purpose}">${pick(ctx.lang, p.name)}</h3>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">${t(ctx.lang, 'category')}</th>
            <th scope="col">${t(ctx.lang, 'status')}</th>
          </tr>
        </thead>
        <tbody>
          ${p.categories.map(
            (c) =>
              html`<tr>
                <td>${pick(ctx.lang, c.name)}</td>
                <td>${basisBadge(ctx.lang, c.basis, c.consented)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      onConsent.length === 0
        ? html`<p class="muted">${t(ctx.lang, 'nothingOnConsent')}</p>`
        : mayAct
          ? html`<div class="actions">
              ${anyMissing ? form('grant', t(ctx.lang, 'give'), '') : ''}
              ${anyGiven ? form('withdraw', t(ctx.lang, 'withdraw'), '') : ''}
            </div>`
          : ''
    }
  </section>`;
}

function history(ctx: PageContext, recordId: string, events: ConsentEventResource[]): Html {
  if (!events.length) return html`<p>${t(ctx.lang, 'noHistory')}</p>`;
  return html`<p class="muted">${t(ctx.lang, 'receiptHelp')}</p>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">${t(ctx.lang, 'when')}</th>
            <th scope="col">${t(ctx.lang, 'purpose')}</th>
            <th scope="col">${t(ctx.lang, 'category')}</th>
            <th scope="col">${t(ctx.lang, 'receipt')}</th>
          </tr>
        </thead>
        <tbody>
          ${[...events].reverse().map(
            (e) =>
              html`<tr>
                <td>
                  ${formatDate(ctx.lang, e.createdAt, true)}<br /><span class="muted"
                    >${t(ctx.lang, e.action === 'grant' ? 'granted' : 'withdrawn')}
                    ${
                      e.givenByYou
                        ? t(ctx.lang, 'byYou')
                        : t(ctx.lang, 'byOther', {
                            role: t(ctx.lang, e.giverRole === 'pupil' ? 'rolePupil' : 'roleGuardian'),
                          })
                    }</span
                  >
                </td>
                <td>${pick(ctx.lang, PURPOSE_NAMES[e.purpose])}${e.recipient ? ` → ${e.recipient}` : ''}</td>
                <td>${e.categories.map((c) => pick(ctx.lang, CATEGORY_NAMES[c])).join(', ')}</td>
                <td>
                  <a href="/app/children/${recordId}/receipts/${e.id}" download>${t(ctx.lang, 'receipt')}</a>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/** The child's page: consents, history with receipts, export, who received what, and requests. */
export function childPage(
  ctx: PageContext,
  o: {
    recordId: string;
    state: ConsentStateResource;
    history: ConsentEventResource[];
    self: boolean;
    mayAct: boolean;
    form?: FormErrors;
  },
): Html {
  const who = o.self ? t(ctx.lang, 'you') : t(ctx.lang, 'theChild');
  const err = (field: string) => o.form?.errors.find((e) => e.field === field);
  const kind = o.form?.values.kind ?? 'rectification';
  return html` <p><a href="/app/children/${o.recordId}/disclosures">${t(ctx.lang, 'disclosuresLink')}</a></p>
    <h2 id="consents">${t(ctx.lang, 'consentsHeading')}</h2>
    <p>${t(ctx.lang, 'consentsIntro')}</p>
    <p class="muted">
      ${t(ctx.lang, 'consentBy', { who: t(ctx.lang, o.state.consentBy === 'pupil' ? 'consentByPupil' : 'consentByGuardians') })}
    </p>
    ${o.state.purposes.map((p) => purposeCard(ctx, o.recordId, p, o.mayAct))}
    <h2 id="history">${t(ctx.lang, 'historyHeading')}</h2>
    ${history(ctx, o.recordId, o.history)}
    <h2 id="export">${t(ctx.lang, 'exportHeading')}</h2>
    <p>${t(ctx.lang, 'exportIntro', { who })}</p>
    <form method="post" action="/app/children/${o.recordId}/export">
      ${csrfField(ctx)}
      <button type="submit">${t(ctx.lang, 'askExport')}</button>
    </form>
    <h2 id="rights">${t(ctx.lang, 'rightsHeading')}</h2>
    <p>${t(ctx.lang, 'rightsIntro')}</p>
    <form method="post" action="/app/children/${o.recordId}/requests" class="stack" novalidate>
      ${csrfField(ctx)}
      <fieldset class="stack">
        <legend><strong>${t(ctx.lang, 'kind')}</strong></legend>
        ${(['rectification', 'restriction', 'erasure'] as const).map(
          (k) =>
            html`<label class="check"
              ><input type="radio" name="kind" value="${k}" ${kind === k ? html` checked` : ''} />
              ${kindName(ctx.lang, k)}</label
            >`,
        )}
      </fieldset>
      <label for="description">${t(ctx.lang, 'description')}</label>
      <p class="hint" id="description-hint">${t(ctx.lang, 'descriptionHint')}</p>
      ${err('description') ? html`<p class="field-error" id="description-error">${err('description')!.text}</p>` : ''}
      <textarea
        id="description"
        name="description"
        rows="4"
        maxlength="4000"
        aria-describedby="description-hint${err('description') ? ' description-error' : ''}"
        ${err('description') ? html` aria-invalid="true"` : ''}
      >
${o.form?.values.description ?? ''}</textarea>
      <button type="submit">${t(ctx.lang, 'send')}</button>
    </form>`;
}

const KIND_NAMES: Record<string, { sv: string; en: string }> = {
  rectification: { sv: 'Rättelse – något är fel', en: 'Rectification – something is wrong' },
  restriction: {
    sv: 'Begränsning – stoppa behandlingen tills vidare',
    en: 'Restriction – stop processing for now',
  },
  erasure: { sv: 'Radering', en: 'Erasure' },
};
const kindName = (lang: Lang, k: string): string => KIND_NAMES[k][lang];

export function disclosuresPage(ctx: PageContext, recordId: string, disclosures: Disclosure[]): Html {
  const purposeName = (p: string | null) =>
    p && p in PURPOSE_NAMES ? pick(ctx.lang, PURPOSE_NAMES[p as Purpose]) : (p ?? '–');
  const recipientName = (r: string | null) =>
    r === 'data-subject' ? t(ctx.lang, 'recipientSelf') : (r ?? t(ctx.lang, 'recipientUnknown'));
  return html`<p>${t(ctx.lang, 'disclosuresIntro')}</p>
    ${
      disclosures.length
        ? html`<ul class="cards">
            ${[...disclosures].reverse().map(
              (d) =>
                html`<li class="card">
                  <p>
                    <strong
                      >${t(ctx.lang, 'disclosureLine', { when: formatDate(ctx.lang, d.at, true), recipient: recipientName(d.recipient), purpose: purposeName(d.purpose).toLowerCase() })}</strong
                    >
                  </p>
                  <dl class="facts">
                    <dt>${t(ctx.lang, 'whatWent')}</dt>
                    <dd>
                      ${
                        Object.keys(d.basis).length
                          ? Object.keys(d.basis)
                              .map((c) =>
                                c in CATEGORY_NAMES ? pick(ctx.lang, CATEGORY_NAMES[c as Category]) : c,
                              )
                              .join(', ')
                          : d.categories.join(', ')
                      }
                    </dd>
                    <dt>${t(ctx.lang, 'onBasis')}</dt>
                    <dd>
                      ${[...new Set(Object.values(d.basis))].map((b) => (b in LEGAL_BASIS_NAMES ? pick(ctx.lang, LEGAL_BASIS_NAMES[b as LegalBasis]) : b)).join(', ') || '–'}
                    </dd>
                  </dl>
                </li>`,
            )}
          </ul>`
        : html`<p>${t(ctx.lang, 'noDisclosures')}</p>`
    }
    <p><a href="/app/children/${recordId}">${t(ctx.lang, 'childTitle')}</a></p>`;
}

const statusBadge = (lang: Lang, r: SubjectRequestResource): Html => {
  const cls =
    r.status === 'ready' || r.status === 'done' || r.status === 'delivered'
      ? 'ok'
      : r.status === 'refused' || r.status === 'failed'
        ? 'bad'
        : 'info';
  return html`<span class="badge ${cls}">${pick(lang, r.statusText)}</span>`;
};

const deadlineText = (lang: Lang, r: SubjectRequestResource): Html =>
  html`${formatDate(lang, r.deadline)}
  ${
    ['done', 'refused', 'ready', 'delivered'].includes(r.status)
      ? ''
      : r.overdue
        ? html`<span class="badge bad">${t(lang, 'overdue')}</span>`
        : html`<span class="muted">(${t(lang, 'daysLeft', { n: r.daysLeft })})</span>`
  }`;

export function requestsPage(ctx: PageContext, requests: SubjectRequestResource[]): Html {
  const pending =
    requests.some((r) => r.status === 'received' && (r.kind === 'access' || r.kind === 'portability')) ||
    requests.some((r) => r.status === 'building');
  if (!requests.length) return html`<p>${t(ctx.lang, 'noRequests')}</p>`;
  return html`${pending ? html`<div data-poll="/app/requests/status" aria-live="polite"><p data-progress-text>${pick(ctx.lang, { sv: 'Paketet skapas …', en: 'The package is being built …' })}</p></div>` : ''}
    <ul class="cards">
      ${requests.map(
        (r) =>
          html`<li class="card">
            <h2 class="h3">
              ${pick(ctx.lang, r.kindText)} <span class="muted">(${r.kindText.article})</span>
            </h2>
            <dl class="facts">
              <dt>${t(ctx.lang, 'status')}</dt>
              <dd>${statusBadge(ctx.lang, r)}</dd>
              <dt>${t(ctx.lang, 'received')}</dt>
              <dd>${formatDate(ctx.lang, r.receivedAt, true)}</dd>
              <dt>${t(ctx.lang, 'deadline')}</dt>
              <dd>${deadlineText(ctx.lang, r)}</dd>
            </dl>
            ${
              r.download
                ? html`<p>
                      <a class="button" href="${new URL(r.download.url, 'http://x').pathname}" download
                        >${t(ctx.lang, 'download')}</a
                      >
                    </p>
                    <p class="hint">
                      ${t(ctx.lang, 'downloadHelp', { date: formatDate(ctx.lang, r.download.expiresAt) })}
                    </p>`
                : ''
            }
            <p><a href="/app/requests/${r.id}">${t(ctx.lang, 'details')}</a></p>
          </li>`,
      )}
    </ul>`;
}

export function requestPage(ctx: PageContext, r: SubjectRequestResource): Html {
  return html`<dl class="facts">
      <dt>${t(ctx.lang, 'kind')}</dt>
      <dd>${pick(ctx.lang, r.kindText)} (${r.kindText.article})</dd>
      <dt>${t(ctx.lang, 'status')}</dt>
      <dd>${statusBadge(ctx.lang, r)}</dd>
      <dt>${t(ctx.lang, 'received')}</dt>
      <dd>${formatDate(ctx.lang, r.receivedAt, true)}</dd>
      <dt>${t(ctx.lang, 'deadline')}</dt>
      <dd>${deadlineText(ctx.lang, r)}</dd>
      ${
        r.description
          ? html`<dt>${t(ctx.lang, 'description')}</dt>
              <dd>${r.description}</dd>`
          : ''
      }
      ${
        r.resolution
          ? html`<dt>${t(ctx.lang, 'answer')}</dt>
              <dd>
                ${r.resolution.reason ?? pick(ctx.lang, r.statusText)}
                <span class="muted">(${formatDate(ctx.lang, r.resolution.decidedAt)})</span>
              </dd>`
          : ''
      }
    </dl>
    ${
      r.download
        ? html`<p>
              <a class="button" href="${new URL(r.download.url, 'http://x').pathname}" download
                >${t(ctx.lang, 'download')}</a
              >
            </p>
            <p class="hint">
              ${t(ctx.lang, 'downloadHelp', { date: formatDate(ctx.lang, r.download.expiresAt) })}
            </p>`
        : ''
    }
    <h2>${t(ctx.lang, 'events')}</h2>
    <ol>
      ${r.events.map((e) => html`<li>${formatDate(ctx.lang, e.at, true)}: ${pick(ctx.lang, e.statusText)}${e.note ? html` – ${e.note}` : ''}</li>`)}
    </ol>`;
}
