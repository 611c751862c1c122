import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { AccessContext } from '../auth/access.guard';
import { Access, RecordAccess } from '../auth/access-context.decorators';
import { Authorize } from '../auth/authorize.decorator';
import { RecordId } from '../common/http/path-params';
import { ConsentActDto, ConsentEventResource } from '../consent/consents.dto';
import { ConsentsService } from '../consent/consents.service';
import type { RecordScope } from '../records/record-scope';
import { RecordsService } from '../records/records.service';

/**
 * A guardian's (or an older pupil's) consents for a child: what flows where and on which basis, the
 * history with every receipt, and one call to give or to withdraw: the same call, the same effort
 * (GDPR Art. 7(3)).
 */
@Controller('v1/me/children/:recordId/consents')
export class MeConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly records: RecordsService,
  ) {}

  @Get()
  @Authorize('me:consent')
  async list(
    @RecordId() recordId: string,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
  ) {
    const kommunCode = access.kommunCode!;
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return {
      state: await this.consents.state(kommunCode, recordId, record),
      history: await this.consents.history(kommunCode, recordId, access.principal.civicNo),
    };
  }

  @Post()
  @Authorize('me:consent')
  @HttpCode(201)
  give(
    @RecordId() recordId: string,
    @Body() dto: ConsentActDto,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
  ): Promise<ConsentEventResource> {
    return this.act('grant', recordId, dto, access, scope);
  }

  @Post('withdrawals')
  @Authorize('me:consent')
  @HttpCode(201)
  withdraw(
    @RecordId() recordId: string,
    @Body() dto: ConsentActDto,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
  ): Promise<ConsentEventResource> {
    return this.act('withdraw', recordId, dto, access, scope);
  }

  private async act(
    action: 'grant' | 'withdraw',
    recordId: string,
    dto: ConsentActDto,
    access: AccessContext,
    scope: RecordScope,
  ): Promise<ConsentEventResource> {
    const kommunCode = access.kommunCode!;
    // Not a child of the caller (or not the pupil themselves): 404, as if it were not there.
    const { record } = (await this.records.get(kommunCode, recordId, scope)).parsed();
    return this.consents.act(kommunCode, recordId, record, action, dto, {
      civicNo: access.principal.civicNo!,
      subject: access.principal.subject,
      method: 'web',
    });
  }
}
