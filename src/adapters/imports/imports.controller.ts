import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { KommunCode } from '../../common/http/path-params';
import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';
import { ImportJobResource, ImportJobsService } from './import-jobs.service';
import { ItemsQueryDto, ListQueryDto, StartImportQueryDto } from './imports.dto';
import type { AccessContext } from '../../auth/access.guard';
import { Access } from '../../auth/access-context.decorators';
import { forbidden } from '../../auth/auth.errors';
import { Authorize } from '../../auth/authorize.decorator';

/** A platform imports as its own registration only: its records, its options. */
function importingPlatform(access: AccessContext, asked: string | undefined): string | undefined {
  const own = access.principal.kind === 'platform' ? access.principal.platformId : undefined;
  if (own === undefined) return asked;
  if (asked !== undefined && asked !== own) throw forbidden();
  return own;
}

@Controller('v1/kommuner/:kommunCode/imports')
export class ImportsController {
  constructor(private readonly imports: ImportJobsService) {}

  /** The file is the body, as it is (zip, CSV, JSON, XML…); the job runs in the background. */
  @Post()
  @Authorize('imports:write')
  @HttpCode(202)
  @RouteConfig({ upload: true })
  async start(
    @KommunCode() kommunCode: string,
    @Query() query: StartImportQueryDto,
    @Body() body: Readable,
    @Headers('content-type') mediaType: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Access() access: AccessContext,
  ): Promise<ImportJobResource> {
    // A form would be stored wrapper and all, and fail later as a file that is not what it says.
    if (mediaType?.toLowerCase().startsWith('multipart/form-data'))
      throw new DomainError(
        PROBLEMS.unsupportedMediaType,
        'IMPORT.MEDIA_TYPE',
        "Send the file itself as the request body, not in a form: e.g. curl --data-binary @file.zip -H 'content-type: application/zip'.",
      );
    const job = await this.imports.start(kommunCode, body, {
      format: query.format,
      platformId: importingPlatform(access, query.platform),
      dryRun: query.dryRun,
      mode: query.mode,
      confirmDeletions: query.confirmDeletions,
      fileName: query.fileName,
      mediaType,
    });
    void reply.header('location', `/v1/kommuner/${kommunCode}/imports/${job.id}`);
    return job;
  }

  @Get()
  @Authorize('imports:read')
  async list(
    @KommunCode() kommunCode: string,
    @Query() query: ListQueryDto,
  ): Promise<{ data: ImportJobResource[]; nextCursor: string | null }> {
    return this.imports.list(kommunCode, query.limit, query.cursor);
  }

  @Get(':importId')
  @Authorize('imports:read')
  get(@KommunCode() kommunCode: string, @Param('importId') id: string): Promise<ImportJobResource> {
    return this.imports.get(kommunCode, id);
  }

  /** Pupil by pupil: created / updated / unchanged / rejected / deleted, with errors and losses. */
  @Get(':importId/items')
  @Authorize('imports:read')
  items(@KommunCode() kommunCode: string, @Param('importId') id: string, @Query() query: ItemsQueryDto) {
    return this.imports.items(kommunCode, id, query.cursor, query.limit, query.kind);
  }
}
