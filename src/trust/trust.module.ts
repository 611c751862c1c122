import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { KommunerModule } from '../kommuner/kommuner.module';
import { JwksFetcher } from './jwks-fetcher';
import { loadOperatorKeys } from './operator-keys';
import { PeerKeys } from './peer-keys';
import { TRUST_OPERATOR_KEYS, TrustListsService } from './trust-lists.service';
import { TrustPeersRepository } from './trust-peers.repository';
import { TrustRegistry } from './trust-registry.service';
import { TrustController } from './trust.controller';

/**
 * The trust registry. Transfers find their peers, seal to their encryption keys and verify with
 * their signing keys through TrustRegistry only.
 */
@Module({
  imports: [KommunerModule, AuditModule],
  controllers: [TrustController],
  providers: [
    {
      provide: TRUST_OPERATOR_KEYS,
      // At start: a bad file stops the start.
      useFactory: (config: AppConfig) => loadOperatorKeys(config.TRUST_OPERATOR_JWKS_FILE),
      inject: [APP_CONFIG],
    },
    TrustPeersRepository,
    JwksFetcher,
    PeerKeys,
    TrustRegistry,
    TrustListsService,
  ],
  exports: [TrustRegistry],
})
export class TrustModule {}
