import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { KommunCode, SchoolUnitCode } from '../common/http/path-params';
import {
  CreateKommunDto,
  KommunResource,
  PutSchoolUnitDto,
  SchoolUnitResource,
  UpdateKommunDto,
} from './kommuner.dto';
import { KommunerService } from './kommuner.service';
import { Authorize } from '../auth/authorize.decorator';

@Controller('v1/kommuner')
export class KommunerController {
  constructor(private readonly kommuner: KommunerService) {}

  @Post()
  @Authorize('kommuner:create')
  async create(
    @Body() dto: CreateKommunDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<KommunResource> {
    const kommun = await this.kommuner.create(dto);
    void reply.status(201).header('location', `/v1/kommuner/${kommun.code}`);
    return kommun;
  }

  @Get()
  @Authorize('kommuner:read')
  async list(): Promise<{ data: KommunResource[] }> {
    return { data: await this.kommuner.list() };
  }

  @Get(':kommunCode')
  @Authorize('kommuner:read')
  get(@KommunCode() code: string): Promise<KommunResource> {
    return this.kommuner.get(code);
  }

  @Patch(':kommunCode')
  @Authorize('kommuner:update')
  rename(@KommunCode() code: string, @Body() dto: UpdateKommunDto): Promise<KommunResource> {
    return this.kommuner.rename(code, dto.name);
  }

  @Get(':kommunCode/school-units')
  @Authorize('schoolUnits:read')
  async listSchoolUnits(@KommunCode() code: string): Promise<{ data: SchoolUnitResource[] }> {
    return { data: await this.kommuner.listSchoolUnits(code) };
  }

  @Put(':kommunCode/school-units/:schoolUnitCode')
  @Authorize('schoolUnits:write')
  async putSchoolUnit(
    @KommunCode() kommunCode: string,
    @SchoolUnitCode() code: string,
    @Body() dto: PutSchoolUnitDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SchoolUnitResource> {
    const { unit, created } = await this.kommuner.putSchoolUnit(kommunCode, code, dto);
    void reply.status(created ? 201 : 200);
    return unit;
  }

  @Get(':kommunCode/school-units/:schoolUnitCode')
  @Authorize('schoolUnits:read')
  getSchoolUnit(
    @KommunCode() kommunCode: string,
    @SchoolUnitCode() code: string,
  ): Promise<SchoolUnitResource> {
    return this.kommuner.getSchoolUnit(kommunCode, code);
  }

  @Delete(':kommunCode/school-units/:schoolUnitCode')
  @Authorize('schoolUnits:write')
  @HttpCode(204)
  async deleteSchoolUnit(@KommunCode() kommunCode: string, @SchoolUnitCode() code: string): Promise<void> {
    await this.kommuner.deleteSchoolUnit(kommunCode, code);
  }
}
