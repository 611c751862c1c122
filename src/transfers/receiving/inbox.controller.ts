import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import type { AccessContext } from '../../auth/access.guard';
import { Access } from '../../auth/access-context.decorators';
import { Authorize } from '../../auth/authorize.decorator';
import { KommunCode, UuidParam } from '../../common/http/path-params';
import { AcceptManyDto, ListInboxQueryDto, RejectDto } from '../transfers.dto';
import { AcceptManyResult, InboxDecisions } from './inbox-decisions';
import type { InboxItemDetail } from './inbox.mapper';
import { InboxService } from './inbox.service';

/** The receiving registrar's routes: the inbox, one package with its diff, accept, reject. */
@Controller('v1/kommuner/:kommunCode/transfers/inbox')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly decisions: InboxDecisions,
  ) {}

  @Get()
  @Authorize('transfers:receive')
  list(@KommunCode() kommunCode: string, @Query() q: ListInboxQueryDto) {
    return this.inbox.list(kommunCode, q);
  }

  /** Many at once (a closing school): one transaction, one acknowledgement each. */
  @Post('accept')
  @Authorize('transfers:receive')
  @HttpCode(200)
  acceptMany(
    @KommunCode() kommunCode: string,
    @Body() dto: AcceptManyDto,
    @Access() access: AccessContext,
  ): Promise<AcceptManyResult> {
    return this.decisions.acceptMany(kommunCode, dto.ids, access);
  }

  @Get(':inboxId')
  @Authorize('transfers:receive')
  get(@KommunCode() kommunCode: string, @UuidParam('inboxId') id: string): Promise<InboxItemDetail> {
    return this.inbox.get(kommunCode, id);
  }

  @Post(':inboxId/accept')
  @Authorize('transfers:receive')
  @HttpCode(200)
  accept(
    @KommunCode() kommunCode: string,
    @UuidParam('inboxId') id: string,
    @Access() access: AccessContext,
  ): Promise<InboxItemDetail> {
    return this.decisions.accept(kommunCode, id, access);
  }

  @Post(':inboxId/reject')
  @Authorize('transfers:receive')
  @HttpCode(200)
  reject(
    @KommunCode() kommunCode: string,
    @UuidParam('inboxId') id: string,
    @Body() dto: RejectDto,
    @Access() access: AccessContext,
  ): Promise<InboxItemDetail> {
    return this.decisions.reject(kommunCode, id, dto.reason, access);
  }
}
