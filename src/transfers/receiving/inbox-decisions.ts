import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccessContext } from '../../auth/access.guard';
import { AuditService } from '../../audit/audit.service';
import { TenantDb } from '../../database/tenant-db';
import { KeysService } from '../../keys/keys.service';
import { KommunerService } from '../../kommuner/kommuner.service';
import { RecordsService } from '../../records/records.service';
import { RECEIPT_TYP, type TransferReceipt } from '../receipts/transfer-receipt';
import { actorOfAccess } from '../../auth/access-audit';
import { alreadyDecided, inboxItemNotFound, reasonRequired } from '../transfers.errors';
import { transferSource } from './inbox-diff';
import type { InboxItemDetail } from './inbox.mapper';

export interface AcceptManyResult {
  accepted: number;
  data: Array<{ id: string; state: string | null; recordId: string | null; skipped: string | null }>;
}
import { InboxRepository, InboxRow } from './inbox.repository';
import { InboxService } from './inbox.service';
import { ReceiptOutbox } from './receipt-outbox';

/**
 * The receiving registrar's decision. Accept imports the record through the records module's write
 * path (keyed by the transfer's source, provenance filled in) in the SAME transaction that marks the
 * package accepted and queues the signed acknowledgement: all of it or none. The acknowledgement is
 * signed before the transaction (signing reads keys, and the embedded database runs one transaction
 * at a time), and sent by the acknowledgements' outbox after it.
 */
@Injectable()
export class InboxDecisions {
  constructor(
    private readonly repository: InboxRepository,
    private readonly inbox: InboxService,
    private readonly records: RecordsService,
    private readonly keys: KeysService,
    private readonly receipts: ReceiptOutbox,
    private readonly audit: AuditService,
    private readonly db: TenantDb,
    private readonly kommuner: KommunerService,
  ) {}

  async accept(kommunCode: string, id: string, access: AccessContext): Promise<InboxItemDetail> {
    const [outcome] = await this.acceptAll(kommunCode, [await this.pending(kommunCode, id)], access, true);
    if (outcome.error) throw outcome.error;
    return this.inbox.get(kommunCode, id);
  }

  /**
   * Many packages at once (a closing school's): each imported and acknowledged as by `accept`, all
   * in one transaction. Packages not waiting any more (decided meanwhile, or not here) are listed
   * as skipped, with the reason; the others are accepted.
   */
  async acceptMany(kommunCode: string, ids: string[], access: AccessContext): Promise<AcceptManyResult> {
    await this.kommuner.assertExists(kommunCode);
    const rows = await this.repository.findMany(kommunCode, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const waiting = rows.filter((r) => r.state === 'received');
    const outcomes = await this.acceptAll(kommunCode, waiting, access, false);
    const done = new Map(outcomes.map((o) => [o.row.id, o]));
    return {
      accepted: outcomes.filter((o) => !o.error).length,
      data: [...new Set(ids.map((id) => id.toLowerCase()))].map((id) => {
        const o = done.get(id);
        if (o && !o.error) return { id, state: 'accepted' as const, recordId: o.recordId!, skipped: null };
        const row = byId.get(id);
        return {
          id,
          state: row?.state ?? null,
          recordId: row?.recordId ?? null,
          skipped:
            o?.error?.message ?? (row ? `The package is ${row.state}.` : 'No such package in this inbox.'),
        };
      }),
    };
  }

  private async acceptAll(
    kommunCode: string,
    rows: InboxRow[],
    access: AccessContext,
    strict: boolean,
  ): Promise<Array<{ row: InboxRow; recordId?: string; error?: Error }>> {
    if (rows.length === 0) return [];
    const receipts = new Map(
      await Promise.all(rows.map(async (r) => [r.id, await this.sign(r, 'accepted', null)] as const)),
    );
    const importedAt = new Date().toISOString();
    const outcomes = await this.db.transaction(kommunCode, async (tx) => {
      const out: Array<{
        row: InboxRow;
        recordId?: string;
        result?: string;
        version?: number;
        error?: Error;
      }> = [];
      const current = new Map(
        (
          await this.repository.findManyForUpdate(
            tx,
            kommunCode,
            rows.map((r) => r.id),
          )
        ).map((r) => [r.id, r]),
      );
      const ready: InboxRow[] = [];
      const bySource = new Set<string>();
      for (const row of rows) {
        const now = current.get(row.id);
        const source = now && transferSource(now.senderKommun, now.manifest.pupil.ref);
        if (!now || now.state !== 'received' || !now.record || bySource.has(`${source!.id}`)) {
          // (Two packages of one pupil from one sender: the later one waits for its own accept.)
          const error = !now
            ? inboxItemNotFound(row.id)
            : now.state !== 'received'
              ? alreadyDecided(now.state)
              : new Error(
                  'Another package of this pupil from the same sender is accepted in this call; accept this one on its own.',
                );
          if (strict) throw error;
          out.push({ row, error });
          continue;
        }
        bySource.add(source!.id);
        ready.push(now);
      }
      const written = await this.records.upsertWithin(
        tx,
        kommunCode,
        ready.map((r) => ({ ...r.record!, source: transferSource(r.senderKommun, r.manifest.pupil.ref) })),
        { adapter: 'transfer', adapterVersion: '1', importedAt },
      );
      for (const [i, row] of ready.entries()) {
        await this.repository.decide(tx, kommunCode, row.id, {
          state: 'accepted',
          reason: null,
          recordId: written[i].id,
          decidedBy: access.principal.subject,
          receipt: receipts.get(row.id)!,
        });
        out.push({ row, recordId: written[i].id, result: written[i].result, version: written[i].version });
      }
      return out;
    });
    await Promise.all(
      outcomes
        .filter((o) => !o.error)
        .map((o) =>
          this.audit.record({
            kommunCode,
            actor: actorOfAccess(access),
            action: 'transfers:accept',
            outcome: 'succeeded',
            pupilRecordIds: [o.recordId!],
            sections: o.row.manifest.categories,
            legalBasis: o.row.manifest.legalBasis,
            purpose: o.row.purpose,
            detail: {
              inboxId: o.row.id,
              jti: o.row.jti,
              sender: o.row.senderKommun,
              result: o.result!,
              version: o.version!,
            },
          }),
        ),
    );
    this.receipts.kick(kommunCode);
    return outcomes;
  }

  async reject(
    kommunCode: string,
    id: string,
    reason: string,
    access: AccessContext,
  ): Promise<InboxItemDetail> {
    if (!reason.trim()) throw reasonRequired();
    const row = await this.pending(kommunCode, id);
    const receipt = await this.sign(row, 'rejected', reason);
    await this.db.transaction(kommunCode, async (tx) => {
      const current = await this.repository.findForUpdate(tx, kommunCode, id);
      if (!current) throw inboxItemNotFound(id);
      if (current.state !== 'received') throw alreadyDecided(current.state);
      await this.repository.decide(tx, kommunCode, id, {
        state: 'rejected',
        reason,
        recordId: null,
        decidedBy: access.principal.subject,
        receipt,
      });
    });
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: 'transfers:reject',
      outcome: 'succeeded',
      pupilCivicNos: row.record?.pupil.civicNo ? [row.record.pupil.civicNo.value] : [],
      purpose: row.purpose,
      detail: { inboxId: id, jti: row.jti, sender: row.senderKommun },
    });
    this.receipts.kick(kommunCode);
    return this.inbox.get(kommunCode, id);
  }

  private async pending(kommunCode: string, id: string): Promise<InboxRow> {
    const row = await this.inbox.find(kommunCode, id);
    if (row.state !== 'received') throw alreadyDecided(row.state);
    return row;
  }

  private sign(row: InboxRow, outcome: 'accepted' | 'rejected', reason: string | null): Promise<string> {
    const now = new Date();
    const receipt: TransferReceipt = {
      iss: row.kommunCode,
      aud: row.senderKommun,
      jti: randomUUID(),
      packageJti: row.jti,
      outcome,
      reason,
      iat: Math.floor(now.getTime() / 1000),
      decidedAt: now.toISOString(),
    };
    return this.keys.signJws(row.kommunCode, JSON.stringify(receipt), {
      typ: RECEIPT_TYP,
      cty: 'application/json',
    });
  }
}
