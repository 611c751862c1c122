import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../auth/authorize.decorator';
import { projectRoot } from '../common/project-root';

/** The pages' one stylesheet and one script, served by portabel itself (no CDN, nothing from outside). */
const FILES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

@Controller('app/static')
export class StaticController {
  private readonly cache = new Map<string, Buffer>();

  @Get(':file')
  @Public()
  file(@Param('file') file: string, @Res() reply: FastifyReply) {
    const type = FILES[file];
    if (!type) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    let bytes = this.cache.get(file);
    if (!bytes) {
      bytes = readFileSync(join(projectRoot(), 'src', 'web', 'static', file));
      this.cache.set(file, bytes);
    }
    return reply.type(type).header('cache-control', 'public, max-age=300').send(bytes);
  }
}
