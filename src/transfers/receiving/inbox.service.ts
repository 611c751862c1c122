import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditService } from '../../audit/audit.service';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { isUuid } from '../../common/http/uuid';
import { KommunerService } from '../../kommuner/kommuner.service';
import { RecordsService } from '../../records/records.service';
import { packageAddress } from '../package/open-package';
import type { TransferManifest } from '../package/package-format';
import { TransferPackages } from '../package/transfer-packages.service';
import {
  PackageMalformedError,
  PackageReplayedError,
  PackageWrongReceiverError,
  TransferPackageRefused,
} from '../package/transfer-package.errors';
import { ListInboxQueryDto } from '../transfers.dto';
import { inboxItemNotFound } from '../transfers.errors';
import { diffSections, InboxDiff, transferSource } from './inbox-diff';
import { InboxItemDetail, InboxItemResource, toInboxResource } from './inbox.mapper';
import { InboxRepository, InboxRow } from './inbox.repository';

export interface InboxAnswer {
  jti: string;
  state: string;
  receivedAt: string;
  /** True when this very package was already here (a redelivery): nothing was stored again. */
  duplicate: boolean;
}

/**
 * The hosted kommun a package is addressed to (its JWE header's `aud`), so that the right kommun's
 * keys open it. Only for routing: opening checks the signed manifest's `aud` against it.
 */
export function addresseeOf(jwe: string): string {
  const address = packageAddress(jwe);
  if (!address || !/^[0-9]{4}$/.test(address.aud)) {
    throw new PackageMalformedError('The body is not a compact JWE naming its receiving kommun.');
  }
  return address.aud;
}

/**
 * The receiving side's inbox. A package is opened (every check of the package module: signature,
 * trusted and unrevoked sender, addressed here, not expired, not replayed, hash, schema) and kept
 * until the registrar decides. Every refusal is audited and leaves nothing else behind.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly repository: InboxRepository,
    private readonly packages: TransferPackages,
    private readonly records: RecordsService,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
  ) {}

  /** `POST /v1/transfers/inbox`: a peer delivers. Idempotent: the same package twice is stored once. */
  async receive(jwe: string, requestId: string | null): Promise<InboxAnswer> {
    const sha256 = createHash('sha256').update(jwe).digest('hex');
    let host: string | undefined;
    try {
      host = addresseeOf(jwe);
      if (!(await this.kommuner.exists(host)))
        throw new PackageWrongReceiverError(host, 'any kommun hosted here');
      const again = await this.repository.findBySha256(host, sha256);
      if (again) return answer(again, true);
      const opened = await this.packages.open(host, jwe, {
        isReplay: (jti: string) => this.repository.hasJti(host!, jti),
      });
      const { manifest, payload } = opened;
      const stored = await this.repository.insert(host, {
        jti: manifest.jti,
        sha256,
        senderKommun: manifest.iss,
        senderKid: opened.sender.kid,
        purpose: purposeOf(manifest),
        manifest,
        record: payload.record,
        loss: payload.loss,
      });
      if (!stored) throw new PackageReplayedError(manifest.jti);
      await this.audit.record({
        kommunCode: host,
        actor: { kind: 'peer', subject: manifest.iss, role: 'peer' },
        action: 'transfers:receive',
        outcome: 'succeeded',
        pupilCivicNos: payload.record.pupil.civicNo ? [payload.record.pupil.civicNo.value] : [],
        sections: manifest.categories,
        legalBasis: manifest.legalBasis,
        requestId,
        purpose: stored.purpose,
        recipient: host,
        detail: { inboxId: stored.id, jti: manifest.jti, sha256, senderKid: opened.sender.kid },
      });
      return answer(stored, false);
    } catch (err) {
      if (err instanceof TransferPackageRefused) {
        // The record of the refusal is all that stays: in the addressed kommun's chain if it is
        // hosted here, else the installation's.
        await this.audit.record({
          kommunCode: host ?? null,
          actor: { kind: 'anonymous', subject: null, role: null },
          action: 'transfers:receive',
          outcome: 'denied',
          requestId,
          detail: { refusal: err.kind, code: err.code, sha256 },
        });
      }
      throw err;
    }
  }

  async list(
    kommunCode: string,
    q: ListInboxQueryDto,
  ): Promise<{ data: InboxItemResource[]; nextCursor: string | null }> {
    await this.kommuner.assertExists(kommunCode);
    // A cursor is the last item's id (earlier ones carried "time|id": still read).
    const position = decodeCursor('inbox', q.cursor, (p) => /^([^|]+\|)?[0-9a-f-]{36}$/.test(p));
    const rows = await this.repository.list(kommunCode, {
      state: q.state,
      beforeId: position?.split('|').pop(),
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    return {
      data: page.map(toInboxResource),
      nextCursor: rows.length > q.limit ? encodeCursor('inbox', page[page.length - 1].id) : null,
    };
  }

  /** One package, with its record and the dry-run diff against what is held of the pupil: one screen. */
  async get(kommunCode: string, id: string): Promise<InboxItemDetail> {
    const row = await this.find(kommunCode, id);
    return {
      ...toInboxResource(row),
      manifest: row.manifest,
      loss: row.loss as InboxItemDetail['loss'],
      record: row.record,
      diff: row.state === 'received' ? await this.diff(kommunCode, row) : null,
    };
  }

  async find(kommunCode: string, id: string): Promise<InboxRow> {
    await this.kommuner.assertExists(kommunCode);
    const row = isUuid(id) ? await this.repository.find(kommunCode, id) : undefined;
    if (!row) throw inboxItemNotFound(id);
    return row;
  }

  /** Like an import's dry run: created, updated or unchanged, section by section. */
  private async diff(kommunCode: string, row: InboxRow): Promise<InboxDiff | null> {
    if (!row.record) return null;
    const source = transferSource(row.senderKommun, row.manifest.pupil.ref);
    const { bySource, byCivicNo } = await this.records.holdings(
      kommunCode,
      source,
      row.record.pupil.civicNo?.value,
    );
    const live = bySource && !bySource.deletedAt ? bySource : undefined;
    const compared = live ?? byCivicNo[0];
    const sections = diffSections(row.record, compared?.record);
    const outcome = !live
      ? 'created'
      : sections.every((s) => s.change === 'unchanged')
        ? 'unchanged'
        : 'updated';
    return {
      outcome,
      comparedWith: compared
        ? { recordId: compared.id, sourcePlatform: compared.sourcePlatform, version: compared.version }
        : null,
      sections,
      heldRecords: byCivicNo.map((r) => ({
        recordId: r.id,
        sourcePlatform: r.sourcePlatform,
        updatedAt: new Date(r.updatedAt).toISOString(),
      })),
    };
  }
}

/** A pupil's or guardian's own direct transmission (GDPR Art. 20(2)) says so in its manifest. */
const purposeOf = (manifest: TransferManifest): 'transfer' | 'portability' =>
  manifest.purpose === 'portability' ? 'portability' : 'transfer';

const answer = (row: InboxRow, duplicate: boolean): InboxAnswer => ({
  jti: row.jti,
  state: row.state,
  receivedAt: new Date(row.receivedAt).toISOString(),
  duplicate,
});
