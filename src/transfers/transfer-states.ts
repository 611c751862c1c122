/**
 * A transfer's life on the sending side:
 *   created → sealed → delivering → delivered → accepted | rejected
 * `created`: asked for, not yet sealed (the decision point runs at sealing, not before);
 * `sealed`: the package exists (a `download` transfer waits here for hand-over by other means);
 * `delivering`: being pushed to the receiver's inbox, retried with backoff while it cannot be;
 * `delivered`: the receiver's inbox has it; `accepted`/`rejected`: the receiver's signed acknowledgement
 * says so; `cancelled`: stopped before delivery; `failed`: cannot go (nothing may be sent any more,
 * the receiver refused the package, or it expired undelivered).
 */
export const TRANSFER_STATES = [
  'created',
  'sealed',
  'delivering',
  'delivered',
  'accepted',
  'rejected',
  'cancelled',
  'failed',
] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

/** The receiving side: a package waits in the inbox until the registrar accepts or rejects it. */
export const INBOX_STATES = ['received', 'accepted', 'rejected'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

export const TRANSFER_STATE_TEXTS: Readonly<Record<TransferState, { sv: string; en: string }>> = {
  created: { sv: 'Skapad, förseglas strax', en: 'Created, about to be sealed' },
  sealed: { sv: 'Förseglad', en: 'Sealed' },
  delivering: { sv: 'Levereras', en: 'Being delivered' },
  delivered: { sv: 'Levererad till mottagaren', en: 'Delivered to the receiver' },
  accepted: { sv: 'Mottagen och godkänd', en: 'Accepted by the receiver' },
  rejected: { sv: 'Avvisad av mottagaren', en: 'Rejected by the receiver' },
  cancelled: { sv: 'Avbruten', en: 'Cancelled' },
  failed: { sv: 'Misslyckades', en: 'Failed' },
};

export const INBOX_STATE_TEXTS: Readonly<Record<InboxState, { sv: string; en: string }>> = {
  received: { sv: 'Inkommen, väntar på beslut', en: 'Received, awaiting a decision' },
  accepted: { sv: 'Godkänd och införd', en: 'Accepted and imported' },
  rejected: { sv: 'Avvisad', en: 'Rejected' },
};

/** States from which nothing moves on by itself. */
export const FINAL_STATES: readonly TransferState[] = ['accepted', 'rejected', 'cancelled', 'failed'];

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped at
 * `maxMs`, with up to a fifth of jitter taken off so that many packages failing together do not all
 * come back at the same instant.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random()): number {
  const exponential = baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(exponential, maxMs);
  return Math.max(1, Math.round(capped * (1 - 0.2 * random)));
}
