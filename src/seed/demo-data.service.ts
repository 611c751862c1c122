import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KommunerService } from '../kommuner/kommuner.service';
import { RecordsService } from '../records/records.service';
import { DEMO } from './demo-people';
import { seedKommun } from './seed-kommun';

/**
 * DEMO_DATA=on: on the first start (a database with no kommun at all) fills the demo kommun with
 * synthetic pupils, whose guardians and an older pupil the development identity provider offers.
 */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoData');

  constructor(
    private readonly kommuner: KommunerService,
    private readonly records: RecordsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.kommuner.list()).length > 0) return;
    const totals = await seedKommun({ kommuner: this.kommuner, records: this.records }, { ...DEMO });
    this.logger.log(
      `demo data: kommun ${DEMO.kommun} with ${totals.created} synthetic pupils in ${totals.schoolUnits} school units (DEMO_DATA=on)`,
    );
  }
}
