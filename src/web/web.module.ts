import { Module } from '@nestjs/common';
import { AdaptersModule } from '../adapters/adapters.module';
import { AuditModule } from '../audit/audit.module';
import { ConsentModule } from '../consent/consent.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { MeModule } from '../me/me.module';
import { RecordsModule } from '../records/records.module';
import { SubjectRequestsModule } from '../subject-requests/subject-requests.module';
import { DpoPagesController } from './pages/dpo.controller';
import { GuardianPagesController } from './pages/guardian.controller';
import { RegistrarPagesController } from './pages/registrar.controller';
import { TransferPagesController } from './pages/transfers.controller';
import { TransfersModule } from '../transfers/transfers.module';
import { TrustModule } from '../trust/trust.module';
import { OidcClient } from './sign-in/oidc-client';
import { SignInController } from './sign-in/sign-in.controller';
import { StaticController } from './static.controller';

/**
 * portabel's own web pages at /app: server-rendered HTML over the same services, guard and policy
 * table as the API, for guardians and pupils, registrars, DPOs and administrators.
 */
@Module({
  imports: [
    AdaptersModule,
    AuditModule,
    ConsentModule,
    KeysModule,
    KommunerModule,
    MeModule,
    RecordsModule,
    SubjectRequestsModule,
    TransfersModule,
    TrustModule,
  ],
  controllers: [
    SignInController,
    StaticController,
    GuardianPagesController,
    RegistrarPagesController,
    DpoPagesController,
    TransferPagesController,
  ],
  providers: [OidcClient],
})
export class WebModule {}
