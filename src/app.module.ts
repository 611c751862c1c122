import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { AppConfig } from './config/env.schema';
import { DatabaseHandle } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { KommunerModule } from './kommuner/kommuner.module';
import { LoggingModule } from './logging/logging.module';
import { RecordsModule } from './records/records.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseHandle): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(database),
        HealthModule,
        KommunerModule,
        RecordsModule,
      ],
    };
  }
}
