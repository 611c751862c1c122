import { actorOfAccess } from '../../auth/access-audit';
import { Injectable } from '@nestjs/common';
import type { AccessContext } from '../../auth/access.guard';
import { recordScopeOf } from '../../auth/access-context.decorators';
import { AuditService, type AuditActor } from '../../audit/audit.service';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { isUuid } from '../../common/http/uuid';
import { DecisionPointService, type DisclosurePreview } from '../../consent/decision-point.service';
import { mayDisclose } from '../../consent/minimise';
import { KommunerService } from '../../kommuner/kommuner.service';
import { RecordsService } from '../../records/records.service';
import { Peers } from '../peers';
import { CreateTransferDto, ListTransfersQueryDto } from '../transfers.dto';
import {
  inFlight,
  notCancellable,
  nothingToSend,
  packageNotReady,
  peerNotTrusted,
  transferNotFound,
} from '../transfers.errors';
import { toTransferResource, TransferResource } from './transfer.mapper';
import { TransferOutbox } from './transfer-outbox';
import { TransferRow, TransfersRepository } from './transfers.repository';

export interface TransferPreview {
  dryRun: true;
  recordId: string;
  receiver: { kommun: string; schoolUnit: string | null };
  /** What would go, category by category, on which legal basis; and what would not, and why. */
  decision: DisclosurePreview;
  /** Whether anything at all would go. */
  sendable: boolean;
}

/** A transfer asked for directly (the registrar) or on a data subject's behalf (Art. 20(2)). */
export interface StartTransfer {
  recordId: string;
  purpose: 'transfer' | 'portability';
  receiverKommun: string;
  receiverSchoolUnit: string | null;
  deliver: 'push' | 'download';
  subjectRequestId?: string | null;
}

/** The sending registrar's side: preview, create, follow, cancel, download. */
@Injectable()
export class TransfersService {
  constructor(
    private readonly repository: TransfersRepository,
    private readonly records: RecordsService,
    private readonly decisions: DecisionPointService,
    private readonly peers: Peers,
    private readonly outbox: TransferOutbox,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
  ) {}

  /**
   * What would go to the receiver, and on which basis, before anything is sealed (nothing is
   * stored, nothing leaves). The decision is taken again when the package is sealed.
   */
  async preview(kommunCode: string, dto: CreateTransferDto, access: AccessContext): Promise<TransferPreview> {
    await this.assertSendable(kommunCode, dto.receiverKommun);
    const { record } = (await this.records.get(kommunCode, dto.recordId, recordScopeOf(access))).parsed();
    const decision = await this.decisions.preview(
      kommunCode,
      { id: dto.recordId, record },
      'transfer',
      dto.receiverKommun,
    );
    return {
      dryRun: true,
      recordId: dto.recordId,
      receiver: { kommun: dto.receiverKommun, schoolUnit: dto.receiverSchoolUnit ?? null },
      decision,
      sendable: mayDisclose(decision),
    };
  }

  async create(kommunCode: string, dto: CreateTransferDto, access: AccessContext): Promise<TransferResource> {
    const preview = await this.preview(kommunCode, dto, access);
    if (!preview.sendable) {
      throw nothingToSend('The policy and consents allow nothing of this pupil to go to that kommun now.');
    }
    return this.start(
      kommunCode,
      {
        recordId: dto.recordId,
        purpose: 'transfer',
        receiverKommun: dto.receiverKommun,
        receiverSchoolUnit: dto.receiverSchoolUnit ?? null,
        deliver: dto.deliver,
      },
      actorOfAccess(access),
    );
  }

  /**
   * Puts a transfer in the outbox and starts it on its way. Also the entry point of GDPR Art. 20(2)
   * (a guardian's direct transmission, purpose `portability`), which the caller has checked.
   */
  async start(kommunCode: string, t: StartTransfer, actor: AuditActor): Promise<TransferResource> {
    await this.assertSendable(kommunCode, t.receiverKommun);
    const [row] = await this.repository.insert(kommunCode, [
      { ...t, createdBy: actor.subject ?? 'unknown', createdByRole: actor.role ?? actor.kind },
    ]);
    await this.audit.record({
      kommunCode,
      actor,
      action: 'transfers:create',
      outcome: 'succeeded',
      pupilRecordIds: [t.recordId],
      purpose: t.purpose,
      recipient: t.receiverKommun,
      detail: {
        transferId: row.id,
        deliver: t.deliver,
        ...(t.subjectRequestId ? { requestId: t.subjectRequestId } : {}),
      },
    });
    this.outbox.kick(kommunCode);
    return toTransferResource(row);
  }

  async get(kommunCode: string, id: string): Promise<TransferResource> {
    return toTransferResource(await this.find(kommunCode, id));
  }

  async list(
    kommunCode: string,
    q: ListTransfersQueryDto,
  ): Promise<{ data: TransferResource[]; nextCursor: string | null }> {
    await this.kommuner.assertExists(kommunCode);
    // A cursor is the last transfer's id (earlier ones carried "time|id": still read).
    const position = decodeCursor('transfers', q.cursor, (p) => /^([^|]+\|)?[0-9a-f-]{36}$/.test(p));
    const rows = await this.repository.list(kommunCode, {
      state: q.state,
      batchId: q.batch,
      beforeId: position?.split('|').pop(),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    return {
      data: page.map(toTransferResource),
      nextCursor: rows.length > q.limit ? encodeCursor('transfers', page[page.length - 1].id) : null,
    };
  }

  /** Transfers started for data subjects' requests (Art. 20(2)), by request. */
  async forSubjectRequests(kommunCode: string, requestIds: string[]): Promise<Map<string, TransferResource>> {
    const rows = await this.repository.findBySubjectRequest(kommunCode, requestIds);
    return new Map(rows.map((r) => [r.subjectRequestId!, toTransferResource(r)]));
  }

  /** Stops a transfer before the receiver has it; a package already sealed is thrown away. */
  async cancel(kommunCode: string, id: string, access: AccessContext): Promise<TransferResource> {
    const row = await this.find(kommunCode, id);
    const outcome = await this.repository.cancel(kommunCode, id);
    if (outcome === 'in-flight') throw inFlight();
    if (outcome === 'not-cancellable') throw notCancellable((await this.find(kommunCode, id)).state);
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: 'transfers:cancel',
      outcome: 'succeeded',
      pupilRecordIds: [row.recordId],
      purpose: row.purpose,
      recipient: row.receiverKommun,
      detail: { transferId: id, jti: row.jti, was: row.state },
    });
    return this.get(kommunCode, id);
  }

  /**
   * The sealed package as a file, for hand-over by other means (the receiver posts it to its own
   * inbox). A disclosure: audited with the categories and their basis.
   */
  async download(
    kommunCode: string,
    id: string,
    access: AccessContext,
  ): Promise<{ jwe: string; row: TransferRow }> {
    const row = await this.find(kommunCode, id);
    if (!['sealed', 'delivering', 'delivered'].includes(row.state)) throw packageNotReady(row.state);
    const jwe = await this.repository.packageOf(kommunCode, id);
    if (!jwe) throw packageNotReady(row.state);
    await this.repository.markDownloaded(kommunCode, id);
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: 'transfers:download',
      outcome: 'succeeded',
      pupilRecordIds: [row.recordId],
      sections: row.manifest?.categories ?? [],
      legalBasis: row.manifest?.legalBasis ?? null,
      purpose: row.purpose,
      recipient: row.receiverKommun,
      detail: { transferId: id, jti: row.jti, sha256: row.packageSha256 },
    });
    return { jwe, row };
  }

  /** Nothing goes to a kommun this one does not trust (checked again at delivery). */
  async assertSendable(kommunCode: string, receiverKommun: string): Promise<void> {
    await this.kommuner.assertExists(kommunCode);
    if (receiverKommun === kommunCode || !(await this.peers.baseUrl(kommunCode, receiverKommun))) {
      throw peerNotTrusted(receiverKommun);
    }
  }

  private async find(kommunCode: string, id: string): Promise<TransferRow> {
    await this.kommuner.assertExists(kommunCode);
    const row = isUuid(id) ? await this.repository.find(kommunCode, id) : undefined;
    if (!row) throw transferNotFound(id);
    return row;
  }
}
