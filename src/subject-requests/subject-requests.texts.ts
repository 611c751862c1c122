/** Every status of a data-subject request, in Swedish and English, for screens and packages. */
export const REQUEST_KINDS = ['access', 'portability', 'rectification', 'restriction', 'erasure'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = [
  'received',
  'in_review',
  'building',
  'ready',
  'delivered',
  'done',
  'refused',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const KIND_TEXTS: Readonly<Record<RequestKind, { sv: string; en: string; article: string }>> = {
  access: { sv: 'Registerutdrag', en: 'Access to your data', article: 'GDPR Art. 15' },
  portability: { sv: 'Dataportabilitet', en: 'Data portability', article: 'GDPR Art. 20' },
  rectification: { sv: 'Rättelse', en: 'Rectification', article: 'GDPR Art. 16' },
  restriction: { sv: 'Begränsning av behandling', en: 'Restriction of processing', article: 'GDPR Art. 18' },
  erasure: { sv: 'Radering', en: 'Erasure', article: 'GDPR Art. 17' },
};

export const STATUS_TEXTS: Readonly<Record<RequestStatus, { sv: string; en: string }>> = {
  received: { sv: 'Mottagen', en: 'Received' },
  in_review: { sv: 'Under handläggning', en: 'In review' },
  building: { sv: 'Paketet skapas', en: 'The package is being built' },
  ready: { sv: 'Klar att hämta', en: 'Ready to download' },
  delivered: { sv: 'Skickad till mottagaren', en: 'Sent to the recipient' },
  done: { sv: 'Klar', en: 'Done' },
  refused: { sv: 'Avslagen', en: 'Refused' },
  failed: {
    sv: 'Misslyckades – vi försöker igen eller kontaktar dig',
    en: 'Failed – we will retry or contact you',
  },
};

/** Which status may follow which, by whom: the workflow the DPO drives (exports move on their own). */
export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['in_review', 'done', 'refused'],
  in_review: ['done', 'refused'],
  building: [],
  ready: [],
  delivered: [],
  done: [],
  refused: [],
  failed: [],
};

/** GDPR Art. 12(3): an answer within one month of receipt (the same day next month, or its last day). */
export function deadlineOf(received: Date): Date {
  const d = new Date(received);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + 1);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
