import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccessContext } from '../../auth/access.guard';
import { AuditService } from '../../audit/audit.service';
import { TenantDb } from '../../database/tenant-db';
import { KeysService } from '../../keys/keys.service';
import { RecordsService } from '../../records/records.service';
import { RECEIPT_TYP, type TransferReceipt } from '../receipts/transfer-receipt';
import { actorOf } from '../sending/transfers.service';
import { alreadyDecided, inboxItemNotFound, reasonRequired } from '../transfers.errors';
import { transferSource } from './inbox-diff';
import type { InboxItemDetail } from './inbox.mapper';
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
  ) {}

  async accept(kommunCode: string, id: string, access: AccessContext): Promise<InboxItemDetail> {
    const row = await this.pending(kommunCode, id);
    const receipt = await this.sign(row, 'accepted', null);
    const written = await this.db.transaction(kommunCode, async (tx) => {
      const current = await this.repository.findForUpdate(tx, kommunCode, id);
      if (!current) throw inboxItemNotFound(id);
      if (current.state !== 'received' || !current.record) throw alreadyDecided(current.state);
      const source = transferSource(current.senderKommun, current.manifest.pupil.ref);
      const result = await this.records.upsertWithin(
        tx,
        kommunCode,
        { ...current.record, source },
        { adapter: 'transfer', adapterVersion: '1', importedAt: new Date().toISOString() },
      );
      await this.repository.decide(tx, kommunCode, id, {
        state: 'accepted',
        reason: null,
        recordId: result.id,
        decidedBy: access.principal.subject,
        receipt,
      });
      return result;
    });
    await this.audit.record({
      kommunCode,
      actor: actorOf(access),
      action: 'transfers:accept',
      outcome: 'succeeded',
      pupilRecordIds: [written.id],
      sections: row.manifest.categories,
      legalBasis: row.manifest.legalBasis,
      purpose: row.purpose,
      detail: {
        inboxId: id,
        jti: row.jti,
        sender: row.senderKommun,
        result: written.result,
        version: written.version,
      },
    });
    this.receipts.kick(kommunCode);
    return this.inbox.get(kommunCode, id);
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
      actor: actorOf(access),
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
