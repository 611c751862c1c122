import { Body, Controller, Delete, Get, Header, HttpCode, Post, Put, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { KommunCode, UuidParam } from '../../common/http/path-params';
import { Authorize, Public } from '../authorize.decorator';
import { PlatformClientResource, PutPlatformClientDto } from './platform-clients.dto';
import { PlatformClientsService } from './platform-clients.service';
import { TokenRequest, TokenResponse, TokenService } from './token.service';

@Controller()
export class OAuthController {
  constructor(
    private readonly tokens: TokenService,
    private readonly clients: PlatformClientsService,
  ) {}

  /** RFC 6749 §4.4 with RFC 7523 client authentication; a form body, as OAuth clients send. */
  @Post('oauth/token')
  @Public()
  @RouteConfig({ form: true })
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  token(@Body() body: TokenRequest, @Req() request: FastifyRequest): Promise<TokenResponse> {
    return this.tokens.signIn(body ?? {}, String(request.id));
  }

  @Put('v1/kommuner/:kommunCode/platforms/:platformId/client')
  @Authorize('platforms:write')
  put(
    @KommunCode() kommunCode: string,
    @UuidParam('platformId') platformId: string,
    @Body() dto: PutPlatformClientDto,
  ): Promise<PlatformClientResource> {
    return this.clients.put(kommunCode, platformId, dto);
  }

  @Get('v1/kommuner/:kommunCode/platforms/:platformId/client')
  @Authorize('platforms:read')
  get(
    @KommunCode() kommunCode: string,
    @UuidParam('platformId') platformId: string,
  ): Promise<PlatformClientResource> {
    return this.clients.get(kommunCode, platformId);
  }

  @Delete('v1/kommuner/:kommunCode/platforms/:platformId/client')
  @Authorize('platforms:write')
  @HttpCode(204)
  async remove(@KommunCode() kommunCode: string, @UuidParam('platformId') platformId: string): Promise<void> {
    await this.clients.remove(kommunCode, platformId);
  }
}
