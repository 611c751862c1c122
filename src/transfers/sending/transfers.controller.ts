import { Body, Controller, Get, Header, HttpCode, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AccessContext } from '../../auth/access.guard';
import { Access } from '../../auth/access-context.decorators';
import { Authorize } from '../../auth/authorize.decorator';
import { KommunCode, UuidParam } from '../../common/http/path-params';
import { JOSE_MEDIA_TYPE } from '../peer-client';
import {
  CreateBatchDto,
  CreateTransferDto,
  CreateTransferQueryDto,
  ListTransfersQueryDto,
} from '../transfers.dto';
import { TransferBatchResource, TransferResource } from './transfer.mapper';
import { TransferBatches } from './transfer-batches';
import { TransferPreview, TransfersService } from './transfers.service';

/** The sending registrar's routes: preview, create, follow, cancel, download; batches. */
@Controller('v1/kommuner/:kommunCode/transfers')
export class TransfersController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly batches: TransferBatches,
  ) {}

  /** `?dryRun=true`: what would go, on which basis (200, nothing stored); else the transfer (201). */
  @Post()
  @Authorize('transfers:send')
  async create(
    @KommunCode() kommunCode: string,
    @Query() q: CreateTransferQueryDto,
    @Body() dto: CreateTransferDto,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransferResource | TransferPreview> {
    if (q.dryRun) {
      void reply.status(200);
      return this.transfers.preview(kommunCode, dto, access);
    }
    const created = await this.transfers.create(kommunCode, dto, access);
    void reply.status(201).header('location', `/v1/kommuner/${kommunCode}/transfers/${created.id}`);
    return created;
  }

  @Get()
  @Authorize('transfers:read')
  list(@KommunCode() kommunCode: string, @Query() q: ListTransfersQueryDto) {
    return this.transfers.list(kommunCode, q);
  }

  /** A class or a closing school: one job, one package per pupil. */
  @Post('batch')
  @Authorize('transfers:send')
  @HttpCode(202)
  async batch(
    @KommunCode() kommunCode: string,
    @Body() dto: CreateBatchDto,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransferBatchResource> {
    const batch = await this.batches.start(kommunCode, dto, access);
    void reply.header('location', `/v1/kommuner/${kommunCode}/transfers/batches/${batch.id}`);
    return batch;
  }

  @Get('batches/:batchId')
  @Authorize('transfers:read')
  getBatch(
    @KommunCode() kommunCode: string,
    @UuidParam('batchId') id: string,
  ): Promise<TransferBatchResource> {
    return this.batches.get(kommunCode, id);
  }

  @Get(':transferId')
  @Authorize('transfers:read')
  get(@KommunCode() kommunCode: string, @UuidParam('transferId') id: string): Promise<TransferResource> {
    return this.transfers.get(kommunCode, id);
  }

  @Post(':transferId/cancel')
  @Authorize('transfers:send')
  @HttpCode(200)
  cancel(
    @KommunCode() kommunCode: string,
    @UuidParam('transferId') id: string,
    @Access() access: AccessContext,
  ): Promise<TransferResource> {
    return this.transfers.cancel(kommunCode, id, access);
  }

  /** The sealed package as a file (a compact JWE), for hand-over by other means. */
  @Get(':transferId/package')
  @Authorize('transfers:send')
  @Header('cache-control', 'no-store')
  async download(
    @KommunCode() kommunCode: string,
    @UuidParam('transferId') id: string,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { jwe, row } = await this.transfers.download(kommunCode, id, access);
    void reply
      .type(JOSE_MEDIA_TYPE)
      .header('content-disposition', `attachment; filename="transfer-${row.jti}.jwe"`)
      .header('digest', `sha-256=${Buffer.from(row.packageSha256!.trim(), 'hex').toString('base64')}`);
    return jwe;
  }
}
