import { Module } from '@nestjs/common';
import { KommunerModule } from '../kommuner/kommuner.module';
import { RecordsModule } from '../records/records.module';
import { DemoDataService } from './demo-data.service';

/** Only with DEMO_DATA=on (AppModule.forRoot). */
@Module({ imports: [KommunerModule, RecordsModule], providers: [DemoDataService] })
export class DemoDataModule {}
