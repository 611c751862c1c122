import { Module } from '@nestjs/common';
import { KeysModule } from '../../keys/keys.module';
import { TrustModule } from '../../trust/trust.module';
import { TransferPackages } from './transfer-packages.service';

/** Sealing and opening transfer packages; the transfer flow (outbox, inbox) imports it. */
@Module({
  imports: [KeysModule, TrustModule],
  providers: [TransferPackages],
  exports: [TransferPackages],
})
export class TransferPackagesModule {}
