import { Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { KommunerModule } from '../kommuner/kommuner.module';
import { JweDecrypter } from './jwe-decrypter';
import { JwksController } from './jwks.controller';
import { KeyEnvelope } from './key-envelope';
import { KeyRing } from './key-ring';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';
import { KommunKeysRepository } from './kommun-keys.repository';
import { loadMasterKey } from './master-key';

/**
 * The kommuner's key pairs. Other modules sign (KeysService.signer, signJwt, signJws) and decrypt
 * (KeysService.decrypt) through KeysService; nothing else ever holds a private key.
 */
@Module({
  imports: [KommunerModule],
  controllers: [JwksController, KeysController],
  providers: [
    {
      provide: KeyEnvelope,
      // At start: a missing key file is made now, and a bad MASTER_KEY or key file stops the start.
      useFactory: (config: AppConfig) => new KeyEnvelope(loadMasterKey(config, new Logger('MasterKey')).key),
      inject: [APP_CONFIG],
    },
    KommunKeysRepository,
    KeyRing,
    JweDecrypter,
    KeysService,
  ],
  exports: [KeysService],
})
export class KeysModule {}
