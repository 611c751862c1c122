import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConsentCoreModule } from '../consent/consent-core.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { RecordsModule } from '../records/records.module';
import { TrustModule } from '../trust/trust.module';
import { TransferPackagesModule } from './package/transfer-packages.module';
import { PeerClient } from './peer-client';
import { PeerController } from './peer.controller';
import { Peers } from './peers';
import { ReceiptIntake } from './receipts/receipt-intake';
import { InboxDecisions } from './receiving/inbox-decisions';
import { InboxController } from './receiving/inbox.controller';
import { InboxRepository } from './receiving/inbox.repository';
import { InboxService } from './receiving/inbox.service';
import { ReceiptOutbox } from './receiving/receipt-outbox';
import { TransferBatches } from './sending/transfer-batches';
import { TransferOutbox } from './sending/transfer-outbox';
import { TransferSealer } from './sending/transfer-sealer';
import { TransfersController } from './sending/transfers.controller';
import { TransfersRepository } from './sending/transfers.repository';
import { TransfersService } from './sending/transfers.service';

/**
 * Transfers between kommuner: the sender's outbox (seal, deliver, retry), the receiver's inbox
 * (open, diff, accept or reject), and the signed acknowledgements back. Packages themselves are
 * made and opened by ./package; which peers are trusted, and their keys, by the trust registry.
 */
@Module({
  imports: [
    AuditModule,
    ConsentCoreModule,
    KeysModule,
    KommunerModule,
    RecordsModule,
    TrustModule,
    TransferPackagesModule,
  ],
  // InboxController first: its static path (…/transfers/inbox) must not be taken for a transfer id.
  controllers: [InboxController, TransfersController, PeerController],
  providers: [
    Peers,
    PeerClient,
    TransfersRepository,
    TransfersService,
    TransferSealer,
    TransferOutbox,
    TransferBatches,
    InboxRepository,
    InboxService,
    InboxDecisions,
    ReceiptOutbox,
    ReceiptIntake,
  ],
  exports: [TransfersService, InboxService, InboxDecisions],
})
export class TransfersModule {}
