/**
 * The audit log's vocabulary: what callers hand in (AuditEntryInput) and what the chain holds
 * (AuditEntry, exactly the object that is hashed, plus its hash).
 */

/** The chain of events that belong to no kommun: failed sign-ins of unknown callers, operator work. */
export const INSTALLATION_CHAIN = '0000';

/** Who acted. `system` is portabel itself (jobs, checkpoints); `anonymous` an unidentified caller. */
export const ACTOR_KINDS = ['person', 'platform', 'peer', 'operator', 'system', 'anonymous'] as const;
export type AuditActorKind = (typeof ACTOR_KINDS)[number];

/**
 * How it went: `allowed`/`denied` are the access decision (the guard, the policy decision point);
 * `succeeded`/`failed` the outcome of an operation that was allowed (an export finished, a delivery
 * failed).
 */
export const OUTCOMES = ['allowed', 'denied', 'succeeded', 'failed'] as const;
export type AuditOutcome = (typeof OUTCOMES)[number];

export interface AuditActor {
  kind: AuditActorKind;
  /** Stable id: a token's `sub`, a platform's client id, a peer's kommun code. A civic number is stored as a keyed hash. */
  subject?: string | null;
  /** The role the actor acted in (src/auth/roles.ts), when one applies. */
  role?: string | null;
}

/** A JSON value without personal data, for `detail`. */
export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };

/** What a caller records. Everything is checked before it is queued; a bad entry throws at once. */
export interface AuditEntryInput {
  /**
   * The kommun whose chain the entry joins. Null or absent, or a kommun that is not registered (a
   * request can name any code): the installation chain ('0000'), with the code in `detail.unregisteredKommun`.
   */
  kommunCode?: string | null;
  /** When it happened (millisecond precision); now when absent. */
  occurredAt?: Date;
  actor: AuditActor;
  /** On whose behalf the actor acted (a guardian for a pupil, a platform for a teacher): an id, never a name. */
  onBehalfOf?: string | null;
  /** What was done, as `area:verb` (the route's action from src/auth/actions.ts, `auth:sign-in`, `transfers:deliver`). */
  action: string;
  outcome: AuditOutcome;
  /** The pupils concerned, by learner record id. */
  pupilRecordIds?: readonly string[];
  /**
   * Pupils known only by civic number (personnummer, samordningsnummer): stored as keyed hashes
   * (HMAC-SHA-256 under a per-kommun key derived from the master key), never in the clear.
   */
  pupilCivicNos?: readonly string[];
  /** Record sections or data categories concerned (`grades`, `contact`, …). */
  sections?: readonly string[];
  /** The legal basis used, per category: `{ "grades": "skollagen 3 kap. 12 j §", "contact": "consent" }`. */
  legalBasis?: Readonly<Record<string, string>> | null;
  /** The request's id (X-Request-Id), to join the entry with logs. */
  requestId?: string | null;
  /** The purpose of a disclosure (`transfer`, `portability`, a platform's registered purpose). */
  purpose?: string | null;
  /** Who received data: a platform id, a peer kommun, a guardian's pseudonymous subject. */
  recipient?: string | null;
  /** Anything else worth keeping, without personal data: counts, ids, reasons, problem codes. */
  detail?: Readonly<Record<string, unknown>>;
}

/** An entry of a chain, as the API and exports show it; `hash` is SHA-256 over the JCS of the rest. */
export interface AuditEntry {
  /** Version of this shape; the hash covers it, so a later shape can never be confused with this one. */
  v: 1;
  kommunCode: string;
  seq: number;
  /** ISO 8601 UTC with milliseconds (microseconds only if the stored value has them). */
  occurredAt: string;
  actor: { kind: AuditActorKind; subject: string | null; role: string | null };
  onBehalfOf: string | null;
  action: string;
  outcome: AuditOutcome;
  /** Lower-case UUIDs, sorted, unique. */
  pupilRecordIds: string[];
  /** Keyed hashes (hex), sorted, unique. */
  pupilCivicNoHashes: string[];
  /** Sorted, unique. */
  sections: string[];
  legalBasis: Record<string, string> | null;
  requestId: string | null;
  purpose: string | null;
  recipient: string | null;
  detail: Record<string, AuditJson>;
  prevHash: string;
  hash: string;
}

/** An entry checked and normalised, waiting for its place in the chain. */
export type PreparedEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

/** What record() answers once the entry is durable. */
export interface AuditReceipt {
  kommunCode: string;
  seq: number;
  hash: string;
}

/** The last entry of a chain; seq 0 and the genesis hash for an empty chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}
