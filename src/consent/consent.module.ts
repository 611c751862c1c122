import { Module } from '@nestjs/common';
import { RecordsModule } from '../records/records.module';
import { ConsentCoreModule } from './consent-core.module';
import { ConsentController } from './consent.controller';

/** The consent routes: the kommun's policy, a pupil's consents, disclosure previews. */
@Module({
  imports: [ConsentCoreModule, RecordsModule],
  controllers: [ConsentController],
  exports: [ConsentCoreModule],
})
export class ConsentModule {}
