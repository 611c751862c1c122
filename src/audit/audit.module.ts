import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { KeysModule } from '../keys/keys.module';
import { KeysService } from '../keys/keys.service';
import { loadMasterKey } from '../keys/master-key';
import { KommunerModule } from '../kommuner/kommuner.module';
import { AuditAppender } from './audit-appender';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditExporter } from './audit-export';
import { AuditLogRepository } from './audit-log.repository';
import { AuditSecrets } from './audit-secrets';
import { AuditSigner } from './audit-signer';
import { AuditVerifier } from './audit-verifier';
import { AuditController, OwnAuditController } from './audit.controller';
import { AuditService } from './audit.service';

/**
 * The hash-chained audit log. Other modules import this module and call AuditService.record();
 * nothing else of it is theirs to use.
 */
@Module({
  imports: [KommunerModule, KeysModule],
  controllers: [AuditController, OwnAuditController],
  providers: [
    {
      provide: AuditSecrets,
      // KeysService first: it loads (or makes) the master key and says what needs saying about it.
      useFactory: (config: AppConfig, keys: KeysService) => {
        void keys;
        return new AuditSecrets(loadMasterKey(config, { warn: () => undefined }).key);
      },
      inject: [APP_CONFIG, KeysService],
    },
    AuditLogRepository,
    AuditAppender,
    AuditSigner,
    AuditVerifier,
    AuditCheckpoints,
    AuditExporter,
    AuditService,
  ],
  exports: [AuditService],
})
export class AuditModule {}
