import { Body, Controller, Get, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import Busboy from '@fastify/busboy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ExportJobsService } from '../../adapters/exports/export-jobs.service';
import { ImportJobsService, type ImportJobResource } from '../../adapters/imports/import-jobs.service';
import { ADAPTERS } from '../../adapters/registry';
import type { AccessContext, GuardedRequest } from '../../auth/access.guard';
import { actorOfAccess } from '../../auth/access-audit';
import { Access, ActingKommun, RecordAccess } from '../../auth/access-context.decorators';
import { Authorize, WebPage } from '../../auth/authorize.decorator';
import { csrfRefused } from '../../auth/web-session/web-session.errors';
import { WebSessions } from '../../auth/web-session/web-sessions.service';
import { UuidParam } from '../../common/http/path-params';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import type { RecordScope } from '../../records/record-scope';
import { RecordsService } from '../../records/records.service';
import { t } from '../views/i18n';
import { may, page, type PageContext } from '../views/layout';
import { WebExceptionFilter } from '../web-exception.filter';
import { pageContext, redirectAfterPost, sendPage } from '../web-request';
import {
  exportsPage,
  importPage,
  importsPage,
  progressText,
  pupilsPage,
  type ImportItem,
} from './registrar.views';

type Form = Record<string, string | undefined>;
const PAGE = 25;

/** The registrar's pages: pupils with search, bulk import with live progress and loss report, exports. */
@Controller('app')
@WebPage()
@UseFilters(WebExceptionFilter)
export class RegistrarPagesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: RecordsService,
    private readonly imports: ImportJobsService,
    private readonly exports: ExportJobsService,
    private readonly sessions: WebSessions,
  ) {}

  @Get('pupils')
  @Authorize('records:read')
  async pupils(
    @ActingKommun() kommunCode: string,
    @RecordAccess() scope: RecordScope,
    @Req() request: GuardedRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.renderPupils(request, reply, kommunCode, scope, {});
  }

  /** Search and paging by POST: names and civic numbers stay out of URLs. */
  @Post('pupils')
  @Authorize('records:read')
  @RouteConfig({ form: true })
  async search(
    @Body() form: Form,
    @ActingKommun() kommunCode: string,
    @RecordAccess() scope: RecordScope,
    @Req() request: GuardedRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.renderPupils(request, reply, kommunCode, scope, { q: form.q, cursor: form.cursor });
  }

  @Get('imports')
  @Authorize('imports:read')
  async importList(
    @ActingKommun() kommunCode: string,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    return sendPage(reply, this.importsPage(ctx, access, (await this.imports.list(kommunCode, 50)).data));
  }

  /**
   * A file upload (multipart): the CSRF field comes first in the form and is checked before a byte of
   * the file is read; the file streams on into the import job as the API's upload does.
   */
  @Post('imports')
  @WebPage({ csrf: 'handler' })
  @Authorize('imports:write')
  @RouteConfig({ upload: true })
  async upload(
    @ActingKommun() kommunCode: string,
    @Access() access: AccessContext,
    @Req() request: GuardedRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const type = request.headers['content-type'] ?? '';
    const body = request.body as Readable | undefined;
    if (!type.startsWith('multipart/form-data') || !(body instanceof Readable)) throw csrfRefused();
    const fields: Form = {};
    const job = await new Promise<ImportJobResource | undefined>((resolve, reject) => {
      const bb = Busboy({
        headers: { ...request.headers, 'content-type': type },
        limits: { files: 1, fields: 10, fileSize: this.config.IMPORT_MAX_BYTES },
      });
      let started: Promise<ImportJobResource> | undefined;
      bb.on('field', (name, value) => {
        fields[name] = value;
      });
      bb.on('file', (_name, stream, filename, _enc, mimeType) => {
        if (!this.sessions.csrfMatches(request.webSession!, fields._csrf)) {
          stream.resume();
          reject(csrfRefused());
          return;
        }
        if (!filename) {
          stream.resume();
          return;
        }
        started = this.imports.start(kommunCode, stream, {
          format: fields.format || undefined,
          dryRun: fields.dryRun === 'on',
          mode: 'delta',
          confirmDeletions: false,
          fileName: filename.slice(0, 255),
          mediaType: mimeType,
        });
        started.catch(reject);
      });
      bb.on('finish', () => {
        if (!this.sessions.csrfMatches(request.webSession!, fields._csrf)) return reject(csrfRefused());
        (started ?? Promise.resolve(undefined)).then(resolve, reject);
      });
      bb.on('error', reject);
      body.pipe(bb);
    });
    if (!job) {
      const jobs = (await this.imports.list(kommunCode, 50)).data;
      return sendPage(reply, this.importsPage(ctx, access, jobs, t(ctx.lang, 'importFileRequired')), 400);
    }
    return redirectAfterPost(reply, `/app/imports/${job.id}`);
  }

  @Get('imports/:importId')
  @Authorize('imports:read')
  async importOne(
    @ActingKommun() kommunCode: string,
    @UuidParam('importId') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const job = await this.imports.get(kommunCode, id);
    const running = job.state === 'queued' || job.state === 'running';
    const items = running
      ? []
      : ((await this.imports.items(kommunCode, id, undefined, 500)).data as ImportItem[]);
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'importTitle'),
        body: importPage(ctx, job, items),
        refreshSeconds: running ? 2 : undefined,
      }),
    );
  }

  /** For the progress bar's script: where the job is. */
  @Get('imports/:importId/progress')
  @Authorize('imports:read')
  async progress(
    @ActingKommun() kommunCode: string,
    @UuidParam('importId') id: string,
    @Req() request: FastifyRequest,
  ) {
    const ctx = pageContext(request);
    const job = await this.imports.get(kommunCode, id);
    return {
      state: job.state,
      processed: job.progress.processed,
      total: job.progress.total,
      done: job.state !== 'queued' && job.state !== 'running',
      text: progressText(ctx.lang, job),
    };
  }

  @Get('exports')
  @Authorize('exports:read')
  async exportList(
    @ActingKommun() kommunCode: string,
    @Access() access: AccessContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request);
    const jobs = await this.exports.list(kommunCode, 50);
    const running = jobs.some((j) => j.state === 'queued' || j.state === 'running');
    return sendPage(
      reply,
      page(ctx, {
        title: t(ctx.lang, 'exportsHeading'),
        body: exportsPage(ctx, {
          jobs,
          adapters: ADAPTERS,
          mayWrite: may(access.principal, 'exports:write'),
        }),
        refreshSeconds: running ? 3 : undefined,
      }),
    );
  }

  @Get('exports/progress')
  @Authorize('exports:read')
  async exportProgress(@ActingKommun() kommunCode: string) {
    const jobs = await this.exports.list(kommunCode, 50);
    return { done: !jobs.some((j) => j.state === 'queued' || j.state === 'running') };
  }

  @Post('exports')
  @Authorize('exports:write')
  @RouteConfig({ form: true })
  async startExport(
    @ActingKommun() kommunCode: string,
    @Access() access: AccessContext,
    @Body() form: Form,
    @Res() reply: FastifyReply,
  ) {
    await this.exports.start(kommunCode, { format: form.format }, actorOfAccess(access));
    return redirectAfterPost(reply, '/app/exports');
  }

  @Get('exports/:exportId/file')
  @Authorize('exports:read')
  async exportFile(
    @ActingKommun() kommunCode: string,
    @UuidParam('exportId') id: string,
    @Res() reply: FastifyReply,
  ) {
    const chunks = await this.exports.download(kommunCode, id, reply);
    return reply.header('cache-control', 'no-store').send(Readable.from(chunks));
  }

  private importsPage(
    ctx: PageContext,
    access: AccessContext,
    jobs: ImportJobResource[],
    error?: string,
  ): string {
    return page(ctx, {
      title: t(ctx.lang, 'importsHeading'),
      body: importsPage(ctx, {
        jobs,
        adapters: ADAPTERS,
        mayWrite: may(access.principal, 'imports:write'),
        error,
      }),
      errors: error ? [{ field: 'file', text: error }] : undefined,
    });
  }

  private async renderPupils(
    request: FastifyRequest,
    reply: FastifyReply,
    kommunCode: string,
    scope: RecordScope,
    o: { q?: string; cursor?: string },
  ) {
    const ctx = pageContext(request);
    const q = (o.q ?? '').trim().slice(0, 100);
    const result = await this.records.list(
      kommunCode,
      { limit: PAGE, q: q || undefined, cursor: o.cursor || undefined },
      scope,
    );
    (request as GuardedRequest).auditPupils = result.data.map((r) => r.id);
    return sendPage(
      reply,
      page(ctx, { title: t(ctx.lang, 'pupilsHeading'), body: pupilsPage(ctx, { q, ...result }) }),
    );
  }
}
