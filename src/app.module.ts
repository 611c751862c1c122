import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { ConsentModule } from './consent/consent.module';
import { AppConfig } from './config/env.schema';
import { DatabaseHandle } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { AdaptersModule } from './adapters/adapters.module';
import { AuthModule } from './auth/auth.module';
import { AuditModule } from './audit/audit.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { KeysModule } from './keys/keys.module';
import { KommunerModule } from './kommuner/kommuner.module';
import { LoggingModule } from './logging/logging.module';
import { MeModule } from './me/me.module';
import { RecordsModule } from './records/records.module';
import { Ss12000ApiModule } from './adapters/ss12000/ss12000-api.module';
import { SubjectRequestsModule } from './subject-requests/subject-requests.module';
import { TransfersModule } from './transfers/transfers.module';
import { TrustModule } from './trust/trust.module';
import { TransferPackagesModule } from './transfers/package/transfer-packages.module';
import { WebModule } from './web/web.module';
import { DemoDataModule } from './seed/demo-data.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseHandle): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(database, config),
        AuthModule.forRoot(config),
        HealthModule,
        JobsModule,
        AdaptersModule,
        KommunerModule,
        KeysModule,
        RecordsModule,
        Ss12000ApiModule,
        ConsentModule,
        MeModule,
        SubjectRequestsModule,
        TransfersModule,
        AuditModule,
        TrustModule,
        TransferPackagesModule,
        WebModule,
        ...(config.DEMO_DATA === 'on' ? [DemoDataModule] : []),
      ],
    };
  }
}
