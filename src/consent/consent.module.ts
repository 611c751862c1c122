import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { RecordsModule } from '../records/records.module';
import { ConsentPoliciesService } from './consent-policies.service';
import { ConsentController } from './consent.controller';
import { ConsentsService } from './consents.service';
import { DecisionPointService } from './decision-point.service';

/** Policies, consents and receipts, and the decision point every outflow asks. */
@Module({
  imports: [KommunerModule, KeysModule, RecordsModule, AuditModule],
  controllers: [ConsentController],
  providers: [ConsentPoliciesService, ConsentsService, DecisionPointService],
  exports: [ConsentPoliciesService, ConsentsService, DecisionPointService],
})
export class ConsentModule {}
