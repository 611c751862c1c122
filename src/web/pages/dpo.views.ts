import type { VerificationReport } from '../../audit/audit-verifier';
import { CATEGORIES, CATEGORY_NAMES } from '../../consent/categories';
import type { PolicyResource } from '../../consent/consent-policies.service';
import { LEGAL_BASIS_NAMES, PURPOSES, PURPOSE_NAMES, type LegalBasis } from '../../consent/purposes';
import type { KommunKeyResource } from '../../keys/keys.mapper';
import type { SubjectRequestResource } from '../../subject-requests/subject-requests.dto';
import { TRANSITIONS } from '../../subject-requests/subject-requests.texts';
import { STATUS_TEXTS } from '../../subject-requests/subject-requests.texts';
import { html, type Html } from '../views/html';
import { formatDate, pick, stateText, t, type Lang } from '../views/i18n';
import { csrfField, type PageContext } from '../views/layout';

const deadlineCell = (lang: Lang, r: SubjectRequestResource): Html =>
  html`${formatDate(lang, r.deadline)}
  ${r.overdue ? html`<span class="badge bad">${t(lang, 'overdue')}</span>` : html`<span class="muted">(${t(lang, 'daysLeft', { n: r.daysLeft })})</span>`}`;

export function dpoRequestsPage(ctx: PageContext, requests: SubjectRequestResource[]): Html {
  if (!requests.length) return html`<p>${t(ctx.lang, 'noOpenRequests')}</p>`;
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">${t(ctx.lang, 'deadline')}</th>
          <th scope="col">${t(ctx.lang, 'kind')}</th>
          <th scope="col">${t(ctx.lang, 'status')}</th>
          <th scope="col">${t(ctx.lang, 'received')}</th>
        </tr>
      </thead>
      <tbody>
        ${requests.map(
          (r) =>
            html`<tr>
              <td>${deadlineCell(ctx.lang, r)}</td>
              <td>
                <a href="/app/dpo/requests/${r.id}">${pick(ctx.lang, r.kindText)}</a>
                <span class="muted">${r.kindText.article}</span>
              </td>
              <td>${pick(ctx.lang, r.statusText)}</td>
              <td>${formatDate(ctx.lang, r.receivedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function dpoRequestPage(
  ctx: PageContext,
  r: SubjectRequestResource,
  mayManage: boolean,
  error?: string,
): Html {
  const next = TRANSITIONS[r.status];
  return html`<dl class="facts">
      <dt>${t(ctx.lang, 'kind')}</dt>
      <dd>${pick(ctx.lang, r.kindText)} (${r.kindText.article})</dd>
      <dt>${t(ctx.lang, 'status')}</dt>
      <dd>${pick(ctx.lang, r.statusText)}</dd>
      <dt>${t(ctx.lang, 'received')}</dt>
      <dd>${formatDate(ctx.lang, r.receivedAt, true)}</dd>
      <dt>${t(ctx.lang, 'deadline')}</dt>
      <dd>${deadlineCell(ctx.lang, r)}</dd>
      ${
        r.description
          ? html`<dt>${t(ctx.lang, 'description')}</dt>
              <dd>${r.description}</dd>`
          : ''
      }
      ${
        r.resolution
          ? html`<dt>${t(ctx.lang, 'answer')}</dt>
              <dd>${r.resolution.reason ?? '–'}</dd>`
          : ''
      }
    </dl>
    ${
      mayManage && next.length
        ? html`<form method="post" action="/app/dpo/requests/${r.id}" class="stack card" novalidate>
            ${csrfField(ctx)}
            <fieldset class="stack">
              <legend><strong>${t(ctx.lang, 'moveTo')}</strong></legend>
              ${next.map((s, i) => html`<label class="check"><input type="radio" name="status" value="${s}" ${i === 0 ? html` checked` : ''} /> ${pick(ctx.lang, STATUS_TEXTS[s])}</label>`)}
            </fieldset>
            <label for="reason">${t(ctx.lang, 'reason')}</label>
            ${error ? html`<p class="field-error" id="reason-error">${error}</p>` : ''}
            <textarea
              id="reason"
              name="reason"
              rows="3"
              maxlength="4000"
              ${error ? html` aria-invalid="true" aria-describedby="reason-error"` : ''}
            ></textarea>
            <button type="submit">${t(ctx.lang, 'save')}</button>
          </form>`
        : ''
    }
    <h2>${t(ctx.lang, 'events')}</h2>
    <ol>
      ${r.events.map((e) => html`<li>${formatDate(ctx.lang, e.at, true)}: ${pick(ctx.lang, e.statusText)}${e.note ? html` – ${e.note}` : ''}</li>`)}
    </ol>`;
}

export function auditPage(ctx: PageContext, report: VerificationReport): Html {
  return html`<div class="card">
    ${
      report.ok
        ? html`<p><span class="badge ok">${t(ctx.lang, 'auditOk')}</span></p>`
        : html`<p>
            <span class="badge bad"
              >${t(ctx.lang, 'auditBroken', { seq: report.firstBroken?.seq ?? '?', reason: stateText(ctx.lang, report.firstBroken?.reason ?? '') })}</span
            >
          </p>`
    }
    <dl class="facts">
      <dt>${t(ctx.lang, 'verifiedAt')}</dt>
      <dd>${formatDate(ctx.lang, report.verifiedAt, true)}</dd>
      <dt>${t(ctx.lang, 'entriesChecked')}</dt>
      <dd>${report.entriesChecked}</dd>
      <dt>${t(ctx.lang, 'checkpointsVerified')}</dt>
      <dd>${report.checkpoints.verified}</dd>
      <dt>${t(ctx.lang, 'afterCheckpoint')}</dt>
      <dd>${report.entriesAfterLastCheckpoint}</dd>
    </dl>
  </div>`;
}

export function policyPage(ctx: PageContext, policy: PolicyResource): Html {
  const d = policy.document;
  const basisName = (b: LegalBasis | 'never' | undefined) =>
    !b || b === 'never' ? t(ctx.lang, 'never') : pick(ctx.lang, LEGAL_BASIS_NAMES[b]);
  return html`<p>
      ${t(ctx.lang, 'policyVersion', { v: policy.version })}${policy.createdAt ? ` · ${formatDate(ctx.lang, policy.createdAt)}` : ''}
    </p>
    <p>${t(ctx.lang, 'consentAge', { age: d.consentAge })}</p>
    <div class="table-wrap">
      <table>
        <caption>
          ${t(ctx.lang, 'policyHeading')}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t(ctx.lang, 'category')}</th>
            ${PURPOSES.map((p) => html`<th scope="col">${pick(ctx.lang, PURPOSE_NAMES[p])}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${CATEGORIES.map(
            (c) =>
              html`<tr>
                <th scope="row">${pick(ctx.lang, CATEGORY_NAMES[c])}</th>
                ${PURPOSES.map((p) => html`<td>${basisName(d.purposes[p].categories[c])}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

export function keysPage(ctx: PageContext, keys: KommunKeyResource[]): Html {
  if (!keys.length) return html`<p>${t(ctx.lang, 'noKeys')}</p>`;
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">${t(ctx.lang, 'use')}</th>
          <th scope="col">${t(ctx.lang, 'algorithm')}</th>
          <th scope="col">${t(ctx.lang, 'status')}</th>
          <th scope="col">${t(ctx.lang, 'created')}</th>
          <th scope="col">kid</th>
        </tr>
      </thead>
      <tbody>
        ${keys.map(
          (k) =>
            html`<tr>
              <td>${stateText(ctx.lang, k.use)}</td>
              <td>${k.alg}${k.crv ? ` (${k.crv})` : ''}</td>
              <td>${stateText(ctx.lang, k.status)}</td>
              <td>${formatDate(ctx.lang, k.createdAt)}</td>
              <td><code>${k.thumbprint}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
