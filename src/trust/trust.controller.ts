import { Body, Controller, Delete, Get, HttpCode, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AccessContext } from '../auth/access.guard';
import { Access } from '../auth/access-context.decorators';
import { Authorize } from '../auth/authorize.decorator';
import { KommunCode } from '../common/http/path-params';
import { AppliedTrustList, TrustListsService } from './trust-lists.service';
import { PeerResource, RevokedKeyResource, TrustRegistry } from './trust-registry.service';
import { ApplyTrustListDto, PeerCode, PutPeerDto, RevokePeerKeyDto } from './trust.dto';
import type { TrustListResource } from './trust.mapper';
import { actorOfAccess } from '../auth/access-audit';

/** A kommun's trust registry: its peers and their keys, and the operators' signed trust lists. */
@Controller('v1/kommuner/:kommunCode/trust')
export class TrustController {
  constructor(
    private readonly registry: TrustRegistry,
    private readonly lists: TrustListsService,
  ) {}

  @Get('peers')
  @Authorize('trust:read')
  async list(@KommunCode() kommunCode: string): Promise<{ data: PeerResource[] }> {
    return { data: await this.registry.list(kommunCode) };
  }

  @Get('peers/:peerCode')
  @Authorize('trust:read')
  get(@KommunCode() kommunCode: string, @PeerCode() peerCode: string): Promise<PeerResource> {
    return this.registry.get(kommunCode, peerCode);
  }

  @Put('peers/:peerCode')
  @Authorize('trust:manage')
  async put(
    @KommunCode() kommunCode: string,
    @PeerCode() peerCode: string,
    @Body() dto: PutPeerDto,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PeerResource> {
    const { peer, created } = await this.registry.put(kommunCode, peerCode, dto, actorOfAccess(access));
    void reply.status(created ? 201 : 200);
    return peer;
  }

  @Delete('peers/:peerCode')
  @Authorize('trust:manage')
  @HttpCode(204)
  remove(
    @KommunCode() kommunCode: string,
    @PeerCode() peerCode: string,
    @Access() access: AccessContext,
  ): Promise<void> {
    return this.registry.remove(kommunCode, peerCode, actorOfAccess(access));
  }

  @Post('peers/:peerCode/revoked-keys')
  @Authorize('trust:manage')
  @HttpCode(201)
  revokeKey(
    @KommunCode() kommunCode: string,
    @PeerCode() peerCode: string,
    @Body() dto: RevokePeerKeyDto,
    @Access() access: AccessContext,
  ): Promise<RevokedKeyResource> {
    return this.registry.revokeKey(kommunCode, peerCode, dto.kid, dto.reason, actorOfAccess(access));
  }

  @Post('peers/:peerCode/refresh')
  @Authorize('trust:manage')
  @HttpCode(200)
  refresh(@KommunCode() kommunCode: string, @PeerCode() peerCode: string): Promise<PeerResource> {
    return this.registry.refresh(kommunCode, peerCode);
  }

  @Get('lists')
  @Authorize('trust:read')
  async appliedLists(@KommunCode() kommunCode: string): Promise<{ data: TrustListResource[] }> {
    return { data: await this.lists.lists(kommunCode) };
  }

  @Post('lists')
  @Authorize('trust:manage')
  @HttpCode(200)
  apply(
    @KommunCode() kommunCode: string,
    @Body() dto: ApplyTrustListDto,
    @Access() access: AccessContext,
  ): Promise<AppliedTrustList> {
    return this.lists.apply(kommunCode, dto.jws, actorOfAccess(access));
  }
}
