import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { KommunCode } from '../../common/http/path-params';
import { CreatePlatformDto, PlatformResource, UpdatePlatformDto } from './platforms.dto';
import { PlatformsService } from './platforms.service';
import { Authorize } from '../../auth/authorize.decorator';

@Controller('v1/kommuner/:kommunCode/platforms')
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Post()
  @Authorize('platforms:write')
  async create(
    @KommunCode() kommunCode: string,
    @Body() dto: CreatePlatformDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PlatformResource> {
    const platform = await this.platforms.create(kommunCode, dto);
    void reply.status(201).header('location', `/v1/kommuner/${kommunCode}/platforms/${platform.id}`);
    return platform;
  }

  @Get()
  @Authorize('platforms:read')
  async list(@KommunCode() kommunCode: string): Promise<{ data: PlatformResource[] }> {
    return { data: await this.platforms.list(kommunCode) };
  }

  @Get(':platformId')
  @Authorize('platforms:read')
  get(@KommunCode() kommunCode: string, @Param('platformId') id: string): Promise<PlatformResource> {
    return this.platforms.get(kommunCode, id);
  }

  @Patch(':platformId')
  @Authorize('platforms:write')
  update(
    @KommunCode() kommunCode: string,
    @Param('platformId') id: string,
    @Body() dto: UpdatePlatformDto,
  ): Promise<PlatformResource> {
    return this.platforms.update(kommunCode, id, dto);
  }

  @Delete(':platformId')
  @Authorize('platforms:write')
  @HttpCode(204)
  async remove(@KommunCode() kommunCode: string, @Param('platformId') id: string): Promise<void> {
    await this.platforms.remove(kommunCode, id);
  }
}
