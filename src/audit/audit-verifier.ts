import { Injectable } from '@nestjs/common';
import { entryHash, GENESIS_HASH } from './audit-canonical';
import { ChainHead } from './audit-entry';
import { AuditLogRepository, StoredCheckpoint } from './audit-log.repository';
import { AuditSigner, ChainTrust, CHECKPOINT_TYP } from './audit-signer';

export const BREAK_REASONS = [
  'missing-entry', // a seq is absent: deleted rows (or the chain's end cut off below a checkpoint)
  'link-mismatch', // prevHash is not the hash of the entry before: reordered or replaced rows
  'hash-mismatch', // the entry's fields do not hash to its hash: an edited row
  'checkpoint-mismatch', // a validly signed checkpoint vouches for another hash: the chain was rewritten
  'checkpoint-signature-invalid', // a checkpoint's signature, typ or payload is not what the kommun signed
  'checkpoint-key-untrusted', // signed by a revoked key or one the kommun never had
] as const;
export type BreakReason = (typeof BREAK_REASONS)[number];

export interface ChainBreak {
  /** The first entry that can no longer be trusted. */
  seq: number;
  reason: BreakReason;
  detail: string;
  /** For checkpoint reasons: the checkpoint that failed (every entry from `seq` up to it is in doubt). */
  checkpointSeq?: number;
}

export interface VerificationReport {
  kommunCode: string;
  ok: boolean;
  verifiedAt: string;
  /** The head when the walk began; the walk goes up to it. */
  head: ChainHead;
  /** Entries whose hash and link were checked (up to the first break). */
  entriesChecked: number;
  checkpoints: { verified: number; last: { seq: number; time: string } | null };
  /** Entries after the last verified checkpoint: guarded by their hashes only, until the next checkpoint. */
  entriesAfterLastCheckpoint: number;
  firstBroken: ChainBreak | null;
}

/** Where a walk starts: after `afterSeq`, whose hash the next entry must name. */
interface WalkStart {
  afterSeq: number;
  prevHash: string;
  /** The last checkpoint known good at the start (0: none). */
  trustedUpTo: number;
}

interface WalkResult {
  entriesChecked: number;
  verified: number;
  last: StoredCheckpoint | undefined;
  firstBroken: ChainBreak | null;
}

/** Entries read per query: the walk holds one page at a time, whatever the chain's length. */
export const PAGE = 1000;

/**
 * Walks a chain from its first entry to its head, a page at a time: every seq consecutive, every
 * prevHash the hash before, every hash recomputed (RFC 8785 JCS, SHA-256), and every checkpoint
 * on the way signed by a key the kommun trusts and naming the hash the chain has at its seq. Stops
 * at the first break and names it. A rewrite that recomputed every hash still fails at the first
 * checkpoint after it, since no one without the kommun's private key can sign the new hash.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly repository: AuditLogRepository,
    private readonly signer: AuditSigner,
  ) {}

  async verify(kommunCode: string): Promise<VerificationReport> {
    const head = await this.repository.head(kommunCode);
    const trust = await this.signer.trust(kommunCode);
    const walk = await this.walk(
      kommunCode,
      { afterSeq: 0, prevHash: GENESIS_HASH, trustedUpTo: 0 },
      head.seq,
      trust,
    );
    let firstBroken = walk.firstBroken;
    if (!firstBroken) firstBroken = await this.checkpointsPastHead(kommunCode, head, walk.last?.seq ?? 0);
    return {
      kommunCode,
      ok: firstBroken === null,
      verifiedAt: new Date().toISOString(),
      head,
      entriesChecked: walk.entriesChecked,
      checkpoints: {
        verified: walk.verified,
        last: walk.last ? { seq: walk.last.seq, time: walk.last.time } : null,
      },
      entriesAfterLastCheckpoint: head.seq - (walk.last?.seq ?? 0),
      firstBroken,
    };
  }

  /**
   * Checks the entries after the newest checkpoint (and that checkpoint's signature) up to `uptoSeq`:
   * what the checkpointer does before it signs a new head, so that it never vouches for a tampered tail.
   */
  async verifySince(
    kommunCode: string,
    from: StoredCheckpoint | undefined,
    uptoSeq: number,
  ): Promise<ChainBreak | null> {
    const trust = await this.signer.trust(kommunCode);
    let start: WalkStart = { afterSeq: 0, prevHash: GENESIS_HASH, trustedUpTo: 0 };
    if (from) {
      const broken = await checkCheckpoint(trust, kommunCode, from, undefined, 0);
      if (broken) return broken;
      start = { afterSeq: from.seq, prevHash: from.hash, trustedUpTo: from.seq };
    }
    return (await this.walk(kommunCode, start, uptoSeq, trust)).firstBroken;
  }

  private async walk(
    kommunCode: string,
    start: WalkStart,
    uptoSeq: number,
    trust: ChainTrust,
  ): Promise<WalkResult> {
    const result: WalkResult = { entriesChecked: 0, verified: 0, last: undefined, firstBroken: null };
    let { afterSeq: cursor, prevHash: prev, trustedUpTo } = start;
    const fail = (b: ChainBreak): WalkResult => ({ ...result, firstBroken: b });
    while (cursor < uptoSeq) {
      const page = await this.repository.range(kommunCode, cursor, uptoSeq, PAGE);
      if (page.length === 0) {
        const last = Math.min(uptoSeq, cursor + PAGE);
        return fail({
          seq: cursor + 1,
          reason: 'missing-entry',
          detail: `entries ${cursor + 1} to ${last} are missing`,
        });
      }
      const checkpoints = await this.repository.checkpoints(
        kommunCode,
        cursor + 1,
        page[page.length - 1].seq,
      );
      let c = 0;
      for (const entry of page) {
        const expected = cursor + 1;
        if (entry.seq !== expected) {
          const span =
            entry.seq - 1 === expected
              ? `entry ${expected} is`
              : `entries ${expected} to ${entry.seq - 1} are`;
          return fail({ seq: expected, reason: 'missing-entry', detail: `${span} missing` });
        }
        if (entry.prevHash !== prev) {
          return fail({
            seq: entry.seq,
            reason: 'link-mismatch',
            detail: 'prevHash is not the hash of the entry before it',
          });
        }
        if (entryHash(entry) !== entry.hash) {
          return fail({
            seq: entry.seq,
            reason: 'hash-mismatch',
            detail: 'the entry does not hash to its hash: it was changed',
          });
        }
        result.entriesChecked++;
        prev = entry.hash;
        cursor = entry.seq;
        for (; c < checkpoints.length && checkpoints[c].seq === entry.seq; c++) {
          const broken = await checkCheckpoint(trust, kommunCode, checkpoints[c], entry.hash, trustedUpTo);
          if (broken) return fail(broken);
          trustedUpTo = entry.seq;
          result.verified++;
          result.last = checkpoints[c];
        }
      }
    }
    return result;
  }

  /**
   * A checkpoint past the head means entries were cut off the end, unless it was made after the
   * walk began (its entries are then there now).
   */
  private async checkpointsPastHead(
    kommunCode: string,
    head: ChainHead,
    trustedUpTo: number,
  ): Promise<ChainBreak | null> {
    const [beyond] = await this.repository.checkpoints(kommunCode, head.seq + 1, undefined, 1);
    if (!beyond) return null;
    const now = await this.repository.head(kommunCode);
    if (now.seq >= beyond.seq) return null;
    return {
      seq: trustedUpTo + 1,
      reason: 'missing-entry',
      detail: `a checkpoint vouches for entry ${beyond.seq}, but the chain ends at ${now.seq}: entries were removed`,
      checkpointSeq: beyond.seq,
    };
  }
}

/** Null when the checkpoint is the kommun's and (if given) names `chainHash`; else the break it shows. */
async function checkCheckpoint(
  trust: ChainTrust,
  kommunCode: string,
  checkpoint: StoredCheckpoint,
  chainHash: string | undefined,
  trustedUpTo: number,
): Promise<ChainBreak | null> {
  const inDoubt = (reason: BreakReason, detail: string): ChainBreak => ({
    seq: trustedUpTo + 1,
    reason,
    detail,
    checkpointSeq: checkpoint.seq,
  });
  const signed = await trust.check(checkpoint.jws, CHECKPOINT_TYP);
  if (!signed.ok) return inDoubt(signed.reason, `checkpoint at ${checkpoint.seq}: ${signed.detail}`);
  const p = signed.payload;
  if (
    p.kommun !== kommunCode ||
    p.seq !== checkpoint.seq ||
    p.hash !== checkpoint.hash ||
    p.time !== checkpoint.time
  ) {
    return inDoubt(
      'checkpoint-signature-invalid',
      `checkpoint at ${checkpoint.seq}: the stored row differs from what was signed`,
    );
  }
  if (chainHash !== undefined && p.hash !== chainHash) {
    return inDoubt(
      'checkpoint-mismatch',
      `the checkpoint signed at ${checkpoint.seq} vouches for another hash than the chain has there: ` +
        `entries after ${trustedUpTo} were rewritten`,
    );
  }
  return null;
}
