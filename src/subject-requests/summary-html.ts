import { CATEGORY_NAMES, CATEGORY_OF_SECTION } from '../consent/categories';
import type { ConsentEventResource } from '../consent/consents.dto';
import { LEGAL_BASIS_NAMES, PURPOSE_NAMES, type LegalBasis, type Purpose } from '../consent/purposes';
import type { LearnerRecord } from '../records/learner-record.types';

export interface Disclosure {
  at: string;
  recipient: string | null;
  purpose: string | null;
  categories: string[];
  basis: Record<string, string>;
}

export interface SummaryInput {
  kommunName: string;
  createdAt: string;
  record: LearnerRecord;
  consents: ConsentEventResource[];
  disclosures: Disclosure[];
  articles: string[];
}

const esc = (v: string | number | boolean | null | undefined): string =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

type Lang = 'sv' | 'en';
const T = {
  title: { sv: 'Dina uppgifter hos', en: 'Your data held by' },
  intro: {
    sv: 'Det här är allt som finns om eleven i portabel, som svar på en begäran enligt',
    en: 'This is everything held about the pupil in portabel, in answer to a request under',
  },
  machine: {
    sv: 'Samma uppgifter finns maskinläsbart i paketet: record.json (elevposten), record.clr.jwt (signerat intyg), consents.json och disclosures.json. manifest.jws bevisar att paketet kommer från kommunen och är oförändrat.',
    en: 'The same data is in the package in machine-readable form: record.json (the record), record.clr.jwt (a signed credential), consents.json and disclosures.json. manifest.jws proves the package comes from the kommun unchanged.',
  },
  pupil: { sv: 'Eleven', en: 'The pupil' },
  sections: { sv: 'Uppgifter per kategori', en: 'Data by category' },
  none: { sv: 'Inga uppgifter.', en: 'Nothing held.' },
  consents: { sv: 'Samtycken', en: 'Consents' },
  given: { sv: 'Givet', en: 'Given' },
  withdrawn: { sv: 'Återkallat', en: 'Withdrawn' },
  disclosures: { sv: 'Vem har fått uppgifterna', en: 'Who received the data' },
  noDisclosures: { sv: 'Inga uppgifter har lämnats ut.', en: 'Nothing has been disclosed.' },
  rights: {
    sv: 'Du kan begära rättelse, begränsning eller radering i portabel. Du kan också klaga hos Integritetsskyddsmyndigheten (IMY).',
    en: 'You can ask for rectification, restriction or erasure in portabel. You can also complain to the Swedish Authority for Privacy Protection (IMY).',
  },
} as const;

function value(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return esc(v as string | number | boolean);
  if (Array.isArray(v)) return `<ol>${v.map((x) => `<li>${value(x)}</li>`).join('')}</ol>`;
  return `<dl>${Object.entries(v as Record<string, unknown>)
    .filter(([k]) => k !== 'provenance')
    .map(([k, x]) => `<dt>${esc(k)}</dt><dd>${value(x)}</dd>`)
    .join('')}</dl>`;
}

function part(lang: Lang, s: SummaryInput): string {
  const r = s.record;
  const sections = (Object.keys(r) as (keyof LearnerRecord)[])
    .filter((k) => k !== 'schemaVersion' && k !== 'source' && k !== 'pupil')
    .map(
      (k) =>
        `<section><h3>${esc(CATEGORY_NAMES[CATEGORY_OF_SECTION[k]][lang])} <small>(${esc(k)})</small></h3>${value(r[k])}</section>`,
    )
    .join('');
  const consents = s.consents.length
    ? `<table><thead><tr><th>${lang === 'sv' ? 'Datum' : 'Date'}</th><th>${lang === 'sv' ? 'Ändamål' : 'Purpose'}</th><th>${lang === 'sv' ? 'Kategorier' : 'Categories'}</th><th></th></tr></thead><tbody>${s.consents
        .map(
          (c) =>
            `<tr><td>${esc(c.createdAt.slice(0, 10))}</td><td>${esc(PURPOSE_NAMES[c.purpose][lang])}${c.recipient ? ` → ${esc(c.recipient)}` : ''}</td><td>${c.categories.map((x) => esc(CATEGORY_NAMES[x][lang])).join(', ')}</td><td>${esc(c.action === 'grant' ? T.given[lang] : T.withdrawn[lang])}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p>${T.none[lang]}</p>`;
  const disclosures = s.disclosures.length
    ? `<table><thead><tr><th>${lang === 'sv' ? 'Datum' : 'Date'}</th><th>${lang === 'sv' ? 'Mottagare' : 'Recipient'}</th><th>${lang === 'sv' ? 'Ändamål' : 'Purpose'}</th><th>${lang === 'sv' ? 'Vad och på vilken grund' : 'What, and on which basis'}</th></tr></thead><tbody>${s.disclosures
        .map(
          (d) =>
            `<tr><td>${esc(d.at.slice(0, 10))}</td><td>${esc(d.recipient ?? '–')}</td><td>${esc(d.purpose && d.purpose in PURPOSE_NAMES ? PURPOSE_NAMES[d.purpose as Purpose][lang] : (d.purpose ?? '–'))}</td><td>${Object.entries(
              d.basis,
            )
              .map(
                ([c, b]) =>
                  `${esc(c in CATEGORY_NAMES ? CATEGORY_NAMES[c as keyof typeof CATEGORY_NAMES][lang] : c)}: ${esc(b in LEGAL_BASIS_NAMES ? LEGAL_BASIS_NAMES[b as LegalBasis][lang] : b)}`,
              )
              .join('; ')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p>${T.noDisclosures[lang]}</p>`;
  return `<article lang="${lang}" id="${lang}">
<h1>${T.title[lang]} ${esc(s.kommunName)}</h1>
<p>${T.intro[lang]} ${esc(s.articles.join(', '))}. ${esc(s.createdAt.slice(0, 10))}</p>
<p>${T.machine[lang]}</p>
<h2>${T.pupil[lang]}</h2>${value({ ...r.pupil })}
<h2>${T.sections[lang]}</h2>${sections || `<p>${T.none[lang]}</p>`}
<h2>${T.consents[lang]}</h2>${consents}
<h2>${T.disclosures[lang]}</h2>${disclosures}
<p>${T.rights[lang]}</p>
</article>`;
}

/**
 * The human-readable summary of a data-subject export: Swedish, then English (a link at the top
 * jumps), readable on a phone and printable; no script, no outside resource, so it opens anywhere.
 */
export function summaryHtml(s: SummaryInput): string {
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${T.title.sv} ${esc(s.kommunName)} / ${T.title.en} ${esc(s.kommunName)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#111;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}h3{font-size:1.05rem}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:.5rem 0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{border:1px solid #999;padding:.35rem;text-align:left;vertical-align:top}
ol{padding-left:1.25rem}nav a{color:#0645ad}
@media print{nav{display:none}article{page-break-after:always}}
</style>
</head>
<body>
<nav><a href="#sv">Svenska</a> · <a href="#en">English</a></nav>
${part('sv', s)}
${part('en', s)}
</body>
</html>
`;
}
