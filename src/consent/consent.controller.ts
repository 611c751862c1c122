import { Body, Controller, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AccessContext } from '../auth/access.guard';
import { Access, RecordAccess } from '../auth/access-context.decorators';
import { Authorize } from '../auth/authorize.decorator';
import { KommunCode, RecordId } from '../common/http/path-params';
import type { RecordScope } from '../records/record-scope';
import { RecordsService } from '../records/records.service';
import { ConsentPoliciesService, PolicyResource } from './consent-policies.service';
import { ConsentsService } from './consents.service';
import { ConsentEventResource, RecordedConsentActDto } from './consents.dto';
import { DecisionPointService, DisclosurePreview } from './decision-point.service';
import { DisclosurePreviewDto } from './decision-point.dto';

class PolicyQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  version?: number;
}

/** The kommun's side: its policy, a pupil's consents (and paper ones recorded), and what would go where. */
@Controller('v1/kommuner/:kommunCode')
export class ConsentController {
  constructor(
    private readonly policies: ConsentPoliciesService,
    private readonly consents: ConsentsService,
    private readonly records: RecordsService,
    private readonly decisions: DecisionPointService,
  ) {}

  @Get('policy')
  @Authorize('policy:read')
  policy(@KommunCode() kommunCode: string, @Query() q: PolicyQueryDto): Promise<PolicyResource> {
    return q.version === undefined
      ? this.policies.inForce(kommunCode)
      : this.policies.version(kommunCode, q.version);
  }

  @Get('policy/versions')
  @Authorize('policy:read')
  async versions(@KommunCode() kommunCode: string) {
    return { data: await this.policies.history(kommunCode) };
  }

  /** A new version of the policy; the old ones stay, and decisions name the version they used. */
  @Put('policy')
  @Authorize('policy:write')
  async changePolicy(
    @KommunCode() kommunCode: string,
    @Body() document: unknown,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyResource> {
    const policy = await this.policies.change(kommunCode, document, access.principal.subject);
    void reply.status(201);
    return policy;
  }

  @Get('records/:recordId/consents')
  @Authorize('consent:read')
  async pupilConsents(
    @KommunCode() kommunCode: string,
    @RecordId() recordId: string,
    @RecordAccess() scope: RecordScope,
  ) {
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return {
      state: await this.consents.state(kommunCode, recordId, record),
      history: await this.consents.history(kommunCode, recordId),
    };
  }

  /** A consent given or withdrawn on paper, registered by the school on the giver's behalf. */
  @Post('records/:recordId/consents')
  @Authorize('consent:write')
  @HttpCode(201)
  async recordConsent(
    @KommunCode() kommunCode: string,
    @RecordId() recordId: string,
    @Body() dto: RecordedConsentActDto,
    @RecordAccess() scope: RecordScope,
    @Access() access: AccessContext,
  ): Promise<ConsentEventResource> {
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return this.consents.act(kommunCode, recordId, record, dto.action, dto, {
      civicNo: dto.givenBy,
      subject: access.principal.subject,
      method: 'paper',
    });
  }

  /** Exactly which categories would go, on which basis, and why not the others: before anything is sent. */
  @Post('records/:recordId/disclosure-preview')
  @Authorize('consent:read')
  @HttpCode(200)
  async preview(
    @KommunCode() kommunCode: string,
    @RecordId() recordId: string,
    @Body() dto: DisclosurePreviewDto,
    @RecordAccess() scope: RecordScope,
  ): Promise<DisclosurePreview> {
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return this.decisions.preview(kommunCode, { id: recordId, record }, dto.purpose, dto.recipient ?? null);
  }
}
