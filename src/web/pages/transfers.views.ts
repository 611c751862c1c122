import { CATEGORY_NAMES, type Category } from '../../consent/categories';
import type { DisclosurePreview } from '../../consent/decision-point.service';
import { LEGAL_BASIS_NAMES, type LegalBasis } from '../../consent/purposes';
import type { RecordResource } from '../../records/record.mapper';
import type { InboxItemDetail, InboxItemResource } from '../../transfers/receiving/inbox.mapper';
import type { TransferResource } from '../../transfers/sending/transfer.mapper';
import type { PeerResource } from '../../trust/trust.mapper';
import { html, type Html } from '../views/html';
import { formatDate, pick, stateText, t, type Lang } from '../views/i18n';
import { csrfField, type PageContext } from '../views/layout';

const categoryName = (lang: Lang, c: string): string =>
  c in CATEGORY_NAMES ? pick(lang, CATEGORY_NAMES[c as Category]) : c;
const basisName = (lang: Lang, b: string): string =>
  b in LEGAL_BASIS_NAMES ? pick(lang, LEGAL_BASIS_NAMES[b as LegalBasis]) : b;
const stateClass = (state: string): string =>
  state === 'accepted'
    ? 'ok'
    : state === 'rejected' || state === 'failed' || state === 'cancelled'
      ? 'bad'
      : 'info';

export function transfersPage(
  ctx: PageContext,
  o: { outbox: TransferResource[]; mayReceive: boolean; maySend: boolean; signature: string },
): Html {
  const moving = o.outbox.some((x) => !['accepted', 'rejected', 'cancelled', 'failed'].includes(x.state));
  return html`<div class="actions">
      ${o.maySend ? html`<a class="button" href="/app/transfers/new">${t(ctx.lang, 'sendTransfer')}</a>` : ''}
      ${o.mayReceive ? html`<a class="button secondary" href="/app/transfers/inbox">${t(ctx.lang, 'inbox')}</a>` : ''}
    </div>
    <h2>${t(ctx.lang, 'outbox')}</h2>
    ${moving ? html`<div data-poll="/app/transfers/progress?since=${o.signature}" aria-live="polite"></div>` : ''}
    ${
      o.outbox.length
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">${t(ctx.lang, 'started')}</th>
                  <th scope="col">${t(ctx.lang, 'receiver')}</th>
                  <th scope="col">${t(ctx.lang, 'status')}</th>
                  <th scope="col">${t(ctx.lang, 'category')}</th>
                </tr>
              </thead>
              <tbody>
                ${o.outbox.map(
                  (x) =>
                    html`<tr>
                      <td>${formatDate(ctx.lang, x.createdAt, true)}</td>
                      <td>
                        ${x.receiver.kommun}${x.receiver.schoolUnit ? ` / ${x.receiver.schoolUnit}` : ''}
                      </td>
                      <td>
                        <span class="badge ${stateClass(x.state)}" data-state="${x.state}"
                          >${pick(ctx.lang, x.stateText)}</span
                        >${x.acknowledgement?.reason ? html`<br /><span class="muted">${x.acknowledgement.reason}</span>` : ''}
                      </td>
                      <td>
                        ${(x.categories ?? []).map((c) => `${categoryName(ctx.lang, c.category)} (${basisName(ctx.lang, c.basis)})`).join(', ') || '–'}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${t(ctx.lang, 'noTransfers')}</p>`
    }`;
}

/** The destinations: every trusted kommun, each with its school units (or one to name later). */
const destinations = (ctx: PageContext, peers: PeerResource[], chosen?: string): Html =>
  html`<select id="destination" name="destination">
    ${peers.map(
      (p) =>
        html`<optgroup label="${p.name} (${p.code})">
          <option value="${p.code}|" ${chosen === `${p.code}|` ? html` selected` : ''}>
            ${p.name} – ${t(ctx.lang, 'anyUnit')}
          </option>
          ${p.schoolUnits.map((u) => html`<option value="${p.code}|${u}" ${chosen === `${p.code}|${u}` ? html` selected` : ''}>${p.name} – ${u}</option>`)}
        </optgroup>`,
    )}
  </select>`;

export function newTransferPage(
  ctx: PageContext,
  o: { q: string; pupils: RecordResource[]; peers: PeerResource[] },
): Html {
  if (!o.peers.length) return html`<p>${t(ctx.lang, 'noPeersToSend')}</p>`;
  return html`<form method="post" action="/app/transfers/new" class="stack" role="search">
      ${csrfField(ctx)}
      <label for="q">${t(ctx.lang, 'search')}</label>
      <input id="q" name="q" type="search" value="${o.q}" autocomplete="off" maxlength="100" />
      <button type="submit" class="secondary">${t(ctx.lang, 'searchButton')}</button>
    </form>
    ${
      o.pupils.length
        ? html`<form method="post" action="/app/transfers/preview" class="stack card">
            ${csrfField(ctx)}
            <fieldset class="stack">
              <legend><strong>${t(ctx.lang, 'choosePupil')}</strong></legend>
              ${o.pupils.map(
                (p, i) =>
                  html`<label class="check"
                    ><input type="radio" name="recordId" value="${p.id}" ${i === 0 ? html` checked` : ''} />
                    ${p.record.pupil.givenName} ${p.record.pupil.familyName}
                    <span class="muted">${p.record.pupil.birthDate ?? ''}</span></label
                  >`,
              )}
            </fieldset>
            <label for="destination">${t(ctx.lang, 'destination')}</label>
            ${destinations(ctx, o.peers)}
            <button type="submit">${t(ctx.lang, 'preview')}</button>
          </form>`
        : o.q
          ? html`<p>${t(ctx.lang, 'noPupils')}</p>`
          : ''
    }`;
}

export function previewPage(
  ctx: PageContext,
  o: {
    pupil: RecordResource;
    receiver: { kommun: string; schoolUnit: string | null };
    decision: DisclosurePreview;
    sendable: boolean;
  },
): Html {
  const d = o.decision.explained;
  return html`<dl class="facts">
      <dt>${t(ctx.lang, 'pupil')}</dt>
      <dd>${o.pupil.record.pupil.givenName} ${o.pupil.record.pupil.familyName}</dd>
      <dt>${t(ctx.lang, 'receiver')}</dt>
      <dd>${o.receiver.kommun}${o.receiver.schoolUnit ? ` / ${o.receiver.schoolUnit}` : ''}</dd>
    </dl>
    <h2>${t(ctx.lang, 'willGo')}</h2>
    ${
      d.allowed.length
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">${t(ctx.lang, 'category')}</th>
                  <th scope="col">${t(ctx.lang, 'basis')}</th>
                </tr>
              </thead>
              <tbody>
                ${d.allowed.map(
                  (a) =>
                    html`<tr>
                      <td>${pick(ctx.lang, a.name)}</td>
                      <td>${pick(ctx.lang, a.basisName)} <span class="muted">(${a.article})</span></td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${t(ctx.lang, 'nothingToSend')}</p>`
    }
    ${
      d.denied.length
        ? html`<h2>${t(ctx.lang, 'willNotGo')}</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${t(ctx.lang, 'category')}</th>
                    <th scope="col">${t(ctx.lang, 'why')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${d.denied.map(
                    (x) =>
                      html`<tr>
                        <td>${pick(ctx.lang, x.name)}</td>
                        <td>${pick(ctx.lang, x.reasonText)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
        : ''
    }
    ${
      o.sendable
        ? html`<form method="post" action="/app/transfers/send" class="actions">
            ${csrfField(ctx)}
            <input type="hidden" name="recordId" value="${o.pupil.id}" />
            <input
              type="hidden"
              name="destination"
              value="${o.receiver.kommun}|${o.receiver.schoolUnit ?? ''}"
            />
            <button type="submit">${t(ctx.lang, 'sealAndSend')}</button>
            <a class="button secondary" href="/app/transfers/new">${t(ctx.lang, 'backHome')}</a>
          </form>`
        : ''
    }`;
}

export function inboxPage(ctx: PageContext, items: InboxItemResource[]): Html {
  if (!items.length) return html`<p>${t(ctx.lang, 'noInbox')}</p>`;
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">${t(ctx.lang, 'received')}</th>
          <th scope="col">${t(ctx.lang, 'sender')}</th>
          <th scope="col">${t(ctx.lang, 'pupil')}</th>
          <th scope="col">${t(ctx.lang, 'status')}</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (i) =>
            html`<tr>
              <td><a href="/app/transfers/inbox/${i.id}">${formatDate(ctx.lang, i.receivedAt, true)}</a></td>
              <td>${i.sender.kommun}${i.sender.schoolUnit ? ` / ${i.sender.schoolUnit}` : ''}</td>
              <td>${i.pupil ? `${i.pupil.givenName ?? ''} ${i.pupil.familyName ?? ''}` : '–'}</td>
              <td><span class="badge ${stateClass(i.state)}">${pick(ctx.lang, i.stateText)}</span></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function inboxItemPage(ctx: PageContext, item: InboxItemDetail, error?: string): Html {
  const p = item.record?.pupil;
  return html`<dl class="facts">
      <dt>${t(ctx.lang, 'sender')}</dt>
      <dd>${item.sender.kommun}${item.sender.schoolUnit ? ` / ${item.sender.schoolUnit}` : ''}</dd>
      ${
        p
          ? html`<dt>${t(ctx.lang, 'pupil')}</dt>
              <dd>${p.givenName} ${p.familyName}${p.birthDate ? ` (${p.birthDate})` : ''}</dd>`
          : ''
      }
      <dt>${t(ctx.lang, 'status')}</dt>
      <dd>
        <span class="badge ${stateClass(item.state)}">${pick(ctx.lang, item.stateText)}</span
        >${item.reason ? ` – ${item.reason}` : ''}
      </dd>
      <dt>${t(ctx.lang, 'received')}</dt>
      <dd>${formatDate(ctx.lang, item.receivedAt, true)}</dd>
    </dl>
    <h2>${t(ctx.lang, 'category')}</h2>
    <ul>
      ${item.categories.map((c) => html`<li>${categoryName(ctx.lang, c.category)} – ${basisName(ctx.lang, c.basis)}</li>`)}
    </ul>
    ${
      item.diff
        ? html`<h2>${t(ctx.lang, 'diff')}</h2>
            <p>${t(ctx.lang, 'diffOutcome')}: <strong>${stateText(ctx.lang, item.diff.outcome)}</strong></p>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${t(ctx.lang, 'section')}</th>
                    <th scope="col">${t(ctx.lang, 'change')}</th>
                    <th scope="col">${t(ctx.lang, 'incoming')}</th>
                    <th scope="col">${t(ctx.lang, 'held')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${item.diff.sections.map(
                    (s) =>
                      html`<tr>
                        <td>${s.section}</td>
                        <td>${stateText(ctx.lang, s.change)}</td>
                        <td>${s.incoming}</td>
                        <td>${s.held}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
        : ''
    }
    ${
      item.loss.length
        ? html`<h2>${t(ctx.lang, 'lossReport')}</h2>
            <ul>
              ${item.loss.map((l) => html`<li>${stateText(ctx.lang, l.kind)}: ${l.detail}</li>`)}
            </ul>`
        : ''
    }
    ${
      item.state === 'received'
        ? html`<div class="card stack">
            <form method="post" action="/app/transfers/inbox/${item.id}/accept">
              ${csrfField(ctx)}<button type="submit">${t(ctx.lang, 'accept')}</button>
            </form>
            <form method="post" action="/app/transfers/inbox/${item.id}/reject" class="stack" novalidate>
              ${csrfField(ctx)}
              <label for="reason">${t(ctx.lang, 'rejectReason')}</label>
              ${error ? html`<p class="field-error" id="reason-error">${error}</p>` : ''}
              <textarea
                id="reason"
                name="reason"
                rows="3"
                maxlength="2000"
                ${error ? html` aria-invalid="true" aria-describedby="reason-error"` : ''}
              ></textarea>
              <button type="submit" class="secondary">${t(ctx.lang, 'reject')}</button>
            </form>
          </div>`
        : ''
    }
    <p><a href="/app/transfers/inbox">${t(ctx.lang, 'inbox')}</a></p>`;
}

export function trustPage(ctx: PageContext, peers: PeerResource[]): Html {
  if (!peers.length) return html`<p>${t(ctx.lang, 'noPeers')}</p>`;
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">${t(ctx.lang, 'peer')}</th>
          <th scope="col">${t(ctx.lang, 'address')}</th>
          <th scope="col">${t(ctx.lang, 'schoolUnits')}</th>
          <th scope="col">${t(ctx.lang, 'keysFetched')}</th>
          <th scope="col">${t(ctx.lang, 'revokedKeys')}</th>
        </tr>
      </thead>
      <tbody>
        ${peers.map(
          (p) =>
            html`<tr>
              <td>${p.name} (${p.code})</td>
              <td><code>${p.baseUrl}</code></td>
              <td>${p.schoolUnits.join(', ') || '–'}</td>
              <td>
                ${p.jwksUri ? (p.keyStatus.fetchedAt ? formatDate(ctx.lang, p.keyStatus.fetchedAt, true) : '–') : 'inline'}${p.keyStatus.lastError ? html`<br /><span class="badge bad">${t(ctx.lang, 'keyError')}: ${p.keyStatus.lastError}</span>` : ''}
              </td>
              <td>${p.revokedKeys.length}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
