import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { ConsentPoliciesService } from './consent-policies.service';
import { ConsentsService } from './consents.service';
import { DecisionPointService } from './decision-point.service';

/**
 * Policies, consents and the decision point, without routes and without the records module, so
 * that every module with an outflow (records for platforms, exports, transfers, rights) can ask it.
 */
@Module({
  imports: [KommunerModule, KeysModule, AuditModule],
  providers: [ConsentPoliciesService, ConsentsService, DecisionPointService],
  exports: [ConsentPoliciesService, ConsentsService, DecisionPointService],
})
export class ConsentCoreModule {}
