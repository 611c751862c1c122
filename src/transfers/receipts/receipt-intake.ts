import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { TenantDb } from '../../database/tenant-db';
import { KommunerService } from '../../kommuner/kommuner.service';
import { Peers } from '../peers';
import { TransfersRepository } from '../sending/transfers.repository';
import { receiptConflict, receiptInvalid, receiptUnknownPackage } from '../transfers.errors';
import { peekReceipt, verifyReceipt } from './transfer-receipt';

export interface ReceiptAnswer {
  packageJti: string;
  state: 'accepted' | 'rejected';
  /** True when this acknowledgement was already here: nothing changed. */
  duplicate: boolean;
}

/**
 * The sending side takes the receiver's signed acknowledgement (`POST /v1/transfers/receipts`,
 * authenticated by its signature, like a package): verified against the receiver's keys in the
 * sender's trust registry, matched to the package it names (sent from here to that very kommun),
 * and recorded once. The same receipt again is answered as before; another outcome for the same
 * package is refused (a decision does not change).
 */
@Injectable()
export class ReceiptIntake {
  constructor(
    private readonly repository: TransfersRepository,
    private readonly peers: Peers,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
    private readonly db: TenantDb,
  ) {}

  async take(jws: string, requestId: string | null): Promise<ReceiptAnswer> {
    const claims = peekReceipt(jws);
    const host = claims && (await this.kommuner.exists(claims.aud)) ? claims.aud : undefined;
    try {
      if (!claims || !host)
        throw receiptInvalid('The acknowledgement is not addressed to a kommun hosted here.');
      if (!(await this.peers.baseUrl(host, claims.iss)))
        throw receiptInvalid(`Kommun ${claims.iss} is not a trusted peer of kommun ${host}.`);
      const verified = await verifyReceipt(jws, await this.peers.verificationKeys(host, claims.iss));
      if (!verified.ok) throw receiptInvalid(`The acknowledgement does not verify: ${verified.why}.`);
      const r = verified.receipt;
      const outcome = await this.db.transaction(host, async (tx) => {
        const transfer = await this.repository.findByJti(tx, host, r.packageJti);
        if (!transfer || transfer.receiverKommun !== r.iss) throw receiptUnknownPackage(r.packageJti);
        if (transfer.state === 'accepted' || transfer.state === 'rejected') {
          if (transfer.state !== r.outcome) throw receiptConflict();
          return { transfer, duplicate: true };
        }
        await this.repository.acknowledge(tx, host, transfer.id, r.outcome, r.reason, jws);
        return { transfer, duplicate: false };
      });
      const { transfer, duplicate } = outcome;
      if (!duplicate) {
        await this.audit.record({
          kommunCode: host,
          actor: { kind: 'peer', subject: r.iss, role: 'peer' },
          onBehalfOf: transfer.createdBy,
          action: 'transfers:acknowledged',
          outcome: 'succeeded',
          pupilRecordIds: [transfer.recordId],
          purpose: transfer.purpose,
          recipient: transfer.receiverKommun,
          requestId,
          detail: {
            transferId: transfer.id,
            jti: r.packageJti,
            outcome: r.outcome,
            receiptId: r.jti,
            kid: verified.kid,
            wasState: transfer.state,
          },
        });
      }
      return { packageJti: r.packageJti, state: r.outcome, duplicate };
    } catch (err) {
      await this.audit.record({
        kommunCode: host ?? null,
        actor: {
          kind: claims ? 'peer' : 'anonymous',
          subject: claims?.iss ?? null,
          role: claims ? 'peer' : null,
        },
        action: 'transfers:acknowledged',
        outcome: 'denied',
        requestId,
        detail: { code: (err as { code?: string }).code ?? 'ERROR' },
      });
      throw err;
    }
  }
}
