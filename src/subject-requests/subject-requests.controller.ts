import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AccessContext } from '../auth/access.guard';
import { Access } from '../auth/access-context.decorators';
import { Authorize, Public } from '../auth/authorize.decorator';
import { KommunCode, UuidParam } from '../common/http/path-params';
import {
  StartExportDto,
  StartRequestDto,
  SubjectRequestResource,
  TransitionDto,
} from './subject-requests.dto';
import { SubjectRequestsService } from './subject-requests.service';

class ListRequestsQueryDto {
  /** Only requests not yet answered, nearest deadline first (the default); false: all, newest first. */
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  open: boolean = true;
}

/** The signed-in pupil's or guardian's own requests. */
@Controller('v1/me')
export class MeRequestsController {
  constructor(private readonly requests: SubjectRequestsService) {}

  /** An export of everything held (Art. 15; Art. 20 for what rests on consent), built in the background. */
  @Post('exports')
  @Authorize('me:requests')
  @HttpCode(202)
  startExport(@Body() dto: StartExportDto, @Access() access: AccessContext): Promise<SubjectRequestResource> {
    return this.requests.startExport(access, dto);
  }

  @Post('requests')
  @Authorize('me:requests')
  @HttpCode(201)
  startRequest(
    @Body() dto: StartRequestDto,
    @Access() access: AccessContext,
  ): Promise<SubjectRequestResource> {
    return this.requests.startRequest(access, dto);
  }

  /** Every request the person made (exports among them): status, deadline, download link. */
  @Get('requests')
  @Authorize('me:requests')
  async mine(@Access() access: AccessContext): Promise<{ data: SubjectRequestResource[] }> {
    return { data: await this.requests.mine(access) };
  }

  @Get('requests/:requestId')
  @Authorize('me:requests')
  mineOne(
    @UuidParam('requestId') id: string,
    @Access() access: AccessContext,
  ): Promise<SubjectRequestResource> {
    return this.requests.mineOne(access, id);
  }
}

/** The DPO's desk: requests by deadline, and their workflow. */
@Controller('v1/kommuner/:kommunCode/requests')
export class KommunRequestsController {
  constructor(private readonly requests: SubjectRequestsService) {}

  @Get()
  @Authorize('requests:read')
  async list(
    @KommunCode() kommunCode: string,
    @Query() q: ListRequestsQueryDto,
  ): Promise<{ data: SubjectRequestResource[] }> {
    return { data: await this.requests.list(kommunCode, q.open) };
  }

  @Get(':requestId')
  @Authorize('requests:read')
  get(@KommunCode() kommunCode: string, @UuidParam('requestId') id: string): Promise<SubjectRequestResource> {
    return this.requests.get(kommunCode, id);
  }

  @Post(':requestId/transitions')
  @Authorize('requests:manage')
  @HttpCode(200)
  transition(
    @KommunCode() kommunCode: string,
    @UuidParam('requestId') id: string,
    @Body() dto: TransitionDto,
    @Access() access: AccessContext,
  ): Promise<SubjectRequestResource> {
    return this.requests.transition(kommunCode, id, dto, access);
  }
}

/** An export package through its expiring link: the link is the key (no sign-in needed to fetch it). */
@Controller('v1/packages')
export class PackagesController {
  constructor(private readonly requests: SubjectRequestsService) {}

  @Get(':token')
  @Public()
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  async download(
    @Param('token') token: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const pkg = await this.requests.download(token);
    void reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="${pkg.fileName}"`)
      .header('digest', `sha-256=${Buffer.from(pkg.sha256, 'hex').toString('base64')}`);
    return pkg.bytes;
  }
}
