import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/problem/domain-error';
import { problemDocument } from '../../common/problem/problem';
import { DecisionPointService, type Release } from '../../consent/decision-point.service';
import { DENIAL_TEXTS } from '../../consent/decision-point';
import type { LearnerRecord } from '../../records/learner-record.types';
import { RecordsService } from '../../records/records.service';
import { TransferPackages } from '../package/transfer-packages.service';
import { inParallel } from '../parallel';
import { TRANSFER_PROBLEMS } from '../transfers.errors';
import { TransferRow, TransfersRepository } from './transfers.repository';

const SYSTEM = { kind: 'system' as const, subject: 'transfer-outbox', role: null };
const SEAL_CONCURRENCY = 8;

/** The school unit the pupil leaves: a current enrolment in the sending kommun, if the record has one. */
export function senderSchoolUnit(
  record: LearnerRecord,
  kommunCode: string,
  today: string,
): string | undefined {
  const current = (record.enrolments ?? []).filter(
    (e) => !e.cancelled && (!e.endDate || e.endDate >= today) && e.organiserCode === kommunCode,
  );
  return (current[0] ?? record.enrolments?.[0])?.schoolUnitCode;
}

/**
 * Seals transfers: the consent decision point is asked HERE, when the package is made, not when the
 * registrar asked for it. A consent withdrawn (or a restriction of processing, or a security marking,
 * set) between the request and the sealing is therefore honoured: what is no longer allowed is left
 * out, and a pupil of whom nothing may go any more is not sent at all (the transfer fails with
 * `transfer-nothing-to-send`). Once sealed, the package is what the decision allowed at that moment.
 */
@Injectable()
export class TransferSealer {
  constructor(
    private readonly repository: TransfersRepository,
    private readonly records: RecordsService,
    private readonly decisions: DecisionPointService,
    private readonly packages: TransferPackages,
    private readonly audit: AuditService,
  ) {}

  /** Seals each transfer it can; returns those now sealed. The others failed, with the reason. */
  async seal(kommunCode: string, rows: TransferRow[]): Promise<TransferRow[]> {
    const loaded: Array<{ row: TransferRow; record: LearnerRecord }> = [];
    await Promise.all(
      rows.map(async (row) => {
        try {
          loaded.push({ row, record: (await this.records.get(kommunCode, row.recordId)).parsed().record });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          await this.fail(kommunCode, row, err);
        }
      }),
    );
    // One decision call per purpose, receiver and requester: the decision point audits each pupil.
    const groups = new Map<string, typeof loaded>();
    for (const item of loaded) {
      const key = `${item.row.purpose}|${item.row.receiverKommun}|${item.row.createdBy}`;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    const sealed: TransferRow[] = [];
    const audits: Array<Promise<unknown>> = [];
    for (const group of groups.values()) {
      const { purpose, receiverKommun, createdBy } = group[0].row;
      const releases = await this.decisions.release(
        kommunCode,
        group.map((g) => ({ id: g.row.recordId, record: g.record })),
        purpose,
        receiverKommun,
        { actor: SYSTEM, onBehalfOf: createdBy },
      );
      // Side by side: signing is quick, the database round trips are what take time.
      await inParallel(group, SEAL_CONCURRENCY, async ({ row, record }) => {
        const done = await this.sealOne(kommunCode, row, record, releases.get(row.recordId)!, audits);
        if (done) sealed.push(done);
      });
    }
    // The audit entries are committed together (group commit), and before anything is delivered.
    await Promise.all(audits);
    return sealed;
  }

  private async sealOne(
    kommunCode: string,
    row: TransferRow,
    record: LearnerRecord,
    release: Release,
    audits: Array<Promise<unknown>>,
  ): Promise<TransferRow | undefined> {
    if (!release.released) {
      const reasons = [...new Set(release.decision.denied.map((d) => DENIAL_TEXTS[d.reason].en))];
      await this.fail(
        kommunCode,
        row,
        new DomainError(
          TRANSFER_PROBLEMS.nothingToSend,
          'TRANSFER.NOTHING_TO_SEND',
          `Nothing of this pupil may be sent now: ${reasons.join(' ')}`,
        ),
      );
      return undefined;
    }
    const allowed = release.decision.allowed;
    const legalBasis = Object.fromEntries(allowed.map((a) => [a.category, a.basis]));
    const schoolUnit = senderSchoolUnit(record, kommunCode, new Date().toISOString().slice(0, 10));
    const { jwe, manifest } = await this.packages.seal({
      sender: { kommun: kommunCode, ...(schoolUnit ? { schoolUnit } : {}) },
      receiver: {
        kommun: row.receiverKommun,
        ...(row.receiverSchoolUnit ? { schoolUnit: row.receiverSchoolUnit } : {}),
      },
      pupil: { ref: row.recordId },
      purpose: row.purpose,
      categories: allowed.map((a) => a.category),
      legalBasis,
      consentReceipts: allowed.flatMap((a) => a.consentReceipts ?? []),
      payload: { record: release.record, loss: release.loss },
    });
    const sha256 = createHash('sha256').update(jwe).digest('hex');
    const stored = await this.repository.markSealed(kommunCode, row.id, {
      jti: manifest.jti,
      jwe,
      sha256,
      manifest,
      loss: release.loss,
    });
    if (!stored) return undefined; // cancelled meanwhile: the package is dropped unsent
    audits.push(
      this.audit.record({
        kommunCode,
        actor: SYSTEM,
        onBehalfOf: row.createdBy,
        action: 'transfers:seal',
        outcome: 'succeeded',
        pupilRecordIds: [row.recordId],
        sections: manifest.categories,
        legalBasis,
        purpose: row.purpose,
        recipient: row.receiverKommun,
        detail: { transferId: row.id, jti: manifest.jti, sha256, lost: release.loss.length },
      }),
    );
    return {
      ...row,
      state: 'sealed',
      jti: manifest.jti,
      manifest,
      packageSha256: sha256,
      loss: release.loss,
    };
  }

  private async fail(kommunCode: string, row: TransferRow, err: DomainError): Promise<void> {
    const problem = problemDocument(err.problem, err.code, err.detail);
    if (!(await this.repository.markFailed(kommunCode, row.id, { ...problem }))) return;
    await this.audit.record({
      kommunCode,
      actor: SYSTEM,
      onBehalfOf: row.createdBy,
      action: 'transfers:seal',
      outcome: 'failed',
      pupilRecordIds: [row.recordId],
      purpose: row.purpose,
      recipient: row.receiverKommun,
      detail: { transferId: row.id, problem: err.code },
    });
  }
}
