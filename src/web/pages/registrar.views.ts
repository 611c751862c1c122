import type { ExportJobResource } from '../../adapters/exports/export-jobs.service';
import type { ImportJobResource } from '../../adapters/imports/import-jobs.service';
import type { VendorAdapter } from '../../adapters/vendor-adapter.port';
import type { RecordResource } from '../../records/record.mapper';
import { html, type Html } from '../views/html';
import { formatDate, stateText, t, type Lang } from '../views/i18n';
import { csrfField, type PageContext } from '../views/layout';

const stateBadge = (lang: Lang, state: string): Html => {
  const cls = state === 'succeeded' ? 'ok' : state === 'failed' || state === 'refused' ? 'bad' : 'info';
  return html`<span class="badge ${cls}">${stateText(lang, state)}</span>`;
};

export function pupilsPage(
  ctx: PageContext,
  o: { q: string; data: RecordResource[]; nextCursor: string | null },
): Html {
  const today = new Date().toISOString().slice(0, 10);
  // The search goes in a POST body: a name or civic number in a URL would end up in histories and logs.
  return html`<form method="post" action="/app/pupils" class="stack" role="search">
      ${csrfField(ctx)}
      <label for="q">${t(ctx.lang, 'search')}</label>
      <input id="q" name="q" type="search" value="${o.q}" autocomplete="off" maxlength="100" />
      <button type="submit">${t(ctx.lang, 'searchButton')}</button>
    </form>
    ${
      o.data.length
        ? html`<div class="table-wrap">
              <table>
                <caption>
                  ${t(ctx.lang, 'pupilsHeading')}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${t(ctx.lang, 'name')}</th>
                    <th scope="col">${t(ctx.lang, 'civicNo')}</th>
                    <th scope="col">${t(ctx.lang, 'enrolment')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${o.data.map(({ record }) => {
                    const current = (record.enrolments ?? []).filter(
                      (e) => !e.cancelled && (!e.endDate || e.endDate >= today),
                    );
                    return html`<tr>
                      <td>${record.pupil.givenName} ${record.pupil.familyName}</td>
                      <td>${record.pupil.civicNo?.value ?? '–'}</td>
                      <td>
                        ${current.map((e) => `${e.schoolUnitCode}${typeof e.schoolYear === 'number' ? ` (${t(ctx.lang, 'schoolYear', { year: e.schoolYear })})` : ''}`).join(', ') || '–'}
                      </td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>
            ${
              o.nextCursor
                ? html`<form method="post" action="/app/pupils">
                    ${csrfField(ctx)}<input type="hidden" name="q" value="${o.q}" /><input
                      type="hidden"
                      name="cursor"
                      value="${o.nextCursor}"
                    /><button type="submit" class="secondary">${t(ctx.lang, 'nextPage')}</button>
                  </form>`
                : ''
            }`
        : html`<p>${t(ctx.lang, 'noPupils')}</p>`
    }`;
}

export function importsPage(
  ctx: PageContext,
  o: { jobs: ImportJobResource[]; adapters: readonly VendorAdapter[]; mayWrite: boolean; error?: string },
): Html {
  return html`${
      o.mayWrite
        ? html`<section class="card" aria-labelledby="upload-h">
            <h2 id="upload-h" class="h3">${t(ctx.lang, 'importUpload')}</h2>
            <form method="post" action="/app/imports" enctype="multipart/form-data" class="stack" novalidate>
              ${csrfField(ctx)}
              <label for="format">${t(ctx.lang, 'format')}</label>
              <select id="format" name="format">
                <option value="">${t(ctx.lang, 'formatAuto')}</option>
                ${o.adapters.filter((a) => a.import).map((a) => html`<option value="${a.name}">${a.name}</option>`)}
              </select>
              <label class="check"
                ><input type="checkbox" name="dryRun" value="on" /> ${t(ctx.lang, 'dryRun')}</label
              >
              <label for="file">${t(ctx.lang, 'importFile')}</label>
              ${o.error ? html`<p class="field-error" id="file-error">${o.error}</p>` : ''}
              <input
                id="file"
                name="file"
                type="file"
                required${o.error ? html` aria-invalid="true" aria-describedby="file-error"` : ''}
              />
              <button type="submit">${t(ctx.lang, 'startImport')}</button>
            </form>
          </section>`
        : ''
    }
    <h2>${t(ctx.lang, 'importsHeading')}</h2>
    ${
      o.jobs.length
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">${t(ctx.lang, 'started')}</th>
                  <th scope="col">${t(ctx.lang, 'file')}</th>
                  <th scope="col">${t(ctx.lang, 'format')}</th>
                  <th scope="col">${t(ctx.lang, 'status')}</th>
                  <th scope="col">${t(ctx.lang, 'counts')}</th>
                </tr>
              </thead>
              <tbody>
                ${o.jobs.map(
                  (j) =>
                    html`<tr>
                      <td><a href="/app/imports/${j.id}">${formatDate(ctx.lang, j.createdAt, true)}</a></td>
                      <td>
                        ${j.file.name ?? '–'}${j.dryRun ? html` <span class="badge">${t(ctx.lang, 'dryRun')}</span>` : ''}
                      </td>
                      <td>${j.adapter}</td>
                      <td>${stateBadge(ctx.lang, j.state)}</td>
                      <td>${countsText(ctx.lang, j.counts)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${t(ctx.lang, 'noImports')}</p>`
    }`;
}

const countsText = (lang: Lang, counts: Record<string, number>): string =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${stateText(lang, k)}: ${n}`)
    .join(', ') || '–';

export const progressText = (lang: Lang, job: ImportJobResource): string =>
  job.progress.total
    ? t(lang, 'progressOf', { done: job.progress.processed, total: job.progress.total })
    : t(lang, 'progressDone', { done: job.progress.processed });

export interface ImportItem {
  seq: number;
  sourceId: string | null;
  outcome: string;
  errors: unknown[];
  loss: unknown[];
}

/** Text of a value from a stored report (strings and numbers; anything else is left out). */
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

const placeOf = (v: unknown): string => {
  const l = (v ?? {}) as Record<string, unknown>;
  return [text(l.file), l.line !== undefined ? `:${text(l.line)}` : '', text(l.pointer)].join('') || '–';
};

export function importPage(ctx: PageContext, job: ImportJobResource, items: ImportItem[]): Html {
  const running = job.state === 'queued' || job.state === 'running';
  const withLoss = items.filter((i) => i.loss.length || i.errors.length);
  return html`<dl class="facts">
      <dt>${t(ctx.lang, 'file')}</dt>
      <dd>${job.file.name ?? '–'} (${job.adapter})</dd>
      <dt>${t(ctx.lang, 'status')}</dt>
      <dd>
        ${stateBadge(ctx.lang, job.state)}${job.dryRun ? html` <span class="badge">${t(ctx.lang, 'dryRun')}</span>` : ''}
      </dd>
      <dt>${t(ctx.lang, 'started')}</dt>
      <dd>${formatDate(ctx.lang, job.createdAt, true)}</dd>
    </dl>
    <div ${running ? html`data-poll="/app/imports/${job.id}/progress"` : ''} aria-live="polite">
      <label for="progress">${t(ctx.lang, 'progress')}</label>
      <progress
        id="progress"
        ${job.progress.total ? html`max="${job.progress.total}" value="${job.progress.processed}"` : running ? '' : html`max="1" value="1"`}
      >
        ${progressText(ctx.lang, job)}
      </progress>
      <p data-progress-text>${progressText(ctx.lang, job)}</p>
    </div>
    ${
      running
        ? ''
        : html` <h2>${t(ctx.lang, 'counts')}</h2>
            <div class="table-wrap">
              <table>
                <tbody>
                  ${Object.entries(job.counts).map(
                    ([k, n]) =>
                      html`<tr>
                        <th scope="row">${stateText(ctx.lang, k)}</th>
                        <td>${n}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${
              job.problem
                ? html`<h2>${t(ctx.lang, 'problem')}</h2>
                    <p>${text(job.problem.detail) || text(job.problem.title)}</p>`
                : ''
            }
            <h2 id="loss">${t(ctx.lang, 'lossReport')}</h2>
            <p>${t(ctx.lang, 'lossIntro')}</p>
            ${
              Object.keys(job.loss).length
                ? html`<div class="table-wrap">
                    <table>
                      <caption>
                        ${t(ctx.lang, 'lossReport')}
                      </caption>
                      <tbody>
                        ${Object.entries(job.loss).map(
                          ([k, n]) =>
                            html`<tr>
                              <th scope="row">${stateText(ctx.lang, k)}</th>
                              <td>${n}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
                : html`<p>${t(ctx.lang, 'noLoss')}</p>`
            }
            ${
              withLoss.length
                ? html`<div class="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">#</th>
                          <th scope="col">${t(ctx.lang, 'status')}</th>
                          <th scope="col">${t(ctx.lang, 'where')}</th>
                          <th scope="col">${t(ctx.lang, 'why')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${withLoss.flatMap((i) =>
                          [
                            ...(i.errors as Record<string, unknown>[]),
                            ...(i.loss as Record<string, unknown>[]),
                          ].map(
                            (e) =>
                              html`<tr>
                                <td>${i.seq}</td>
                                <td>${stateText(ctx.lang, text(e.kind) || i.outcome)}</td>
                                <td><code>${placeOf(e.source ?? e)}</code></td>
                                <td>${text(e.detail)}</td>
                              </tr>`,
                          ),
                        )}
                      </tbody>
                    </table>
                  </div>`
                : ''
            }`
    }
    <p><a href="/app/imports">${t(ctx.lang, 'importsHeading')}</a></p>`;
}

export function exportsPage(
  ctx: PageContext,
  o: { jobs: ExportJobResource[]; adapters: readonly VendorAdapter[]; mayWrite: boolean },
): Html {
  const running = o.jobs.some((j) => j.state === 'queued' || j.state === 'running');
  return html`${
      o.mayWrite
        ? html`<section class="card" aria-labelledby="export-h">
            <h2 id="export-h" class="h3">${t(ctx.lang, 'startExport')}</h2>
            <form method="post" action="/app/exports" class="stack">
              ${csrfField(ctx)}
              <label for="format">${t(ctx.lang, 'format')}</label>
              <select id="format" name="format">
                ${o.adapters.filter((a) => a.export).map((a) => html`<option value="${a.name}">${a.name}</option>`)}
              </select>
              <button type="submit">${t(ctx.lang, 'startExport')}</button>
            </form>
          </section>`
        : ''
    }
    <h2>${t(ctx.lang, 'exportsHeading')}</h2>
    ${running ? html`<div data-poll="/app/exports/progress" aria-live="polite"><p data-progress-text>${stateText(ctx.lang, 'running')}</p></div>` : ''}
    ${
      o.jobs.length
        ? html`<div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">${t(ctx.lang, 'started')}</th>
                  <th scope="col">${t(ctx.lang, 'format')}</th>
                  <th scope="col">${t(ctx.lang, 'status')}</th>
                  <th scope="col">${t(ctx.lang, 'records')}</th>
                  <th scope="col">${t(ctx.lang, 'file')}</th>
                </tr>
              </thead>
              <tbody>
                ${o.jobs.map(
                  (j) =>
                    html`<tr>
                      <td>${formatDate(ctx.lang, j.createdAt, true)}</td>
                      <td>${j.adapter}${j.schoolUnit ? ` (${j.schoolUnit})` : ''}</td>
                      <td>${stateBadge(ctx.lang, j.state)}</td>
                      <td>${j.recordCount}</td>
                      <td>
                        ${j.file && j.state === 'succeeded' ? html`<a href="/app/exports/${j.id}/file" download>${t(ctx.lang, 'downloadFile')}</a>` : '–'}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${t(ctx.lang, 'noExports')}</p>`
    }`;
}
