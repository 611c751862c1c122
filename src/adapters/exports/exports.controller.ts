import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { KommunCode } from '../../common/http/path-params';
import { ExportJobResource, ExportJobsService } from './export-jobs.service';
import type { AccessContext } from '../../auth/access.guard';
import { Access, RecordAccess } from '../../auth/access-context.decorators';
import type { RecordScope } from '../../records/record-scope';
import { forbidden } from '../../auth/auth.errors';
import { Authorize } from '../../auth/authorize.decorator';
import { actorOfAccess } from '../../auth/access-audit';

/** A platform exports for itself only: as its own registration, or as the named recipient of a format. */
function exportingPlatform(access: AccessContext, asked: string | undefined): string | undefined {
  const own = access.principal.kind === 'platform' ? access.principal.platformId : undefined;
  if (own === undefined) return asked;
  if (asked !== undefined && asked !== own) throw forbidden();
  return asked;
}

/** A platform sees only the exports made for it (it is their recipient); people of the kommun, all. */
const visibleTo = (access: AccessContext): string | undefined =>
  access.principal.kind === 'platform' ? access.principal.platform : undefined;

export class StartExportDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  format?: string;

  @IsOptional()
  @IsUUID()
  platform?: string;

  /** Only this school unit's current pupils; the whole kommun when absent. */
  @IsOptional()
  @Matches(/^[0-9]{8}$/, { message: 'schoolUnit must be an eight-digit skolenhetskod' })
  schoolUnit?: string;
}

@Controller('v1/kommuner/:kommunCode/exports')
export class ExportsController {
  constructor(private readonly exports: ExportJobsService) {}

  @Post()
  @Authorize('exports:write')
  @HttpCode(202)
  async start(
    @KommunCode() kommunCode: string,
    @Body() dto: StartExportDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Access() access: AccessContext,
    @RecordAccess() scope: RecordScope,
  ): Promise<ExportJobResource> {
    // No more goes out than the caller may read: one person's records never make an export, a
    // registrar limited to school units exports one of them, a platform only its granted sections.
    if (scope.person) throw forbidden();
    if (scope.schoolUnits && !(dto.schoolUnit && scope.schoolUnits.includes(dto.schoolUnit)))
      throw forbidden();
    const job = await this.exports.start(
      kommunCode,
      {
        format: dto.format,
        platformId: exportingPlatform(access, dto.platform),
        schoolUnit: dto.schoolUnit,
        recipient: access.principal.kind === 'platform' ? access.principal.platform : undefined,
        sections: scope.sections ? [...scope.sections] : undefined,
      },
      actorOfAccess(access),
    );
    void reply.header('location', `/v1/kommuner/${kommunCode}/exports/${job.id}`);
    return job;
  }

  @Get(':exportId')
  @Authorize('exports:read')
  get(
    @KommunCode() kommunCode: string,
    @Param('exportId') id: string,
    @Access() access: AccessContext,
  ): Promise<ExportJobResource> {
    return this.exports.get(kommunCode, id, visibleTo(access));
  }

  @Get(':exportId/file')
  @Authorize('exports:read')
  async file(
    @KommunCode() kommunCode: string,
    @Param('exportId') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Access() access: AccessContext,
  ): Promise<Readable> {
    return Readable.from(await this.exports.download(kommunCode, id, reply, visibleTo(access)));
  }

  /** The complete loss report, beside the file (inside it too, for bundles). */
  @Get(':exportId/loss-report')
  @Authorize('exports:read')
  async lossReport(
    @KommunCode() kommunCode: string,
    @Param('exportId') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Access() access: AccessContext,
  ): Promise<Readable> {
    return Readable.from(await this.exports.lossReport(kommunCode, id, reply, visibleTo(access)));
  }
}
