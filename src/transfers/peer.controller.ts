import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { Public } from '../auth/authorize.decorator';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { PackageMalformedError, PackageTooLargeError } from './package/transfer-package.errors';
import { ReceiptAnswer, ReceiptIntake } from './receipts/receipt-intake';
import { InboxAnswer, InboxService } from './receiving/inbox.service';

/** Reads a body whole up to `limit` bytes (the package's own size check; never more in memory). */
async function readCapped(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new PackageTooLargeError(size, limit);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) throw new PackageMalformedError('The body is empty.');
  return text;
}

/**
 * What other portabel instances call. Public (no bearer token): each body authenticates itself, a
 * package by its sender's signature, an acknowledgement by the receiver's; both checked against the
 * trust registry. Rate limited per address (RATE_LIMIT_PEER) and capped in size.
 */
@Controller('v1/transfers')
export class PeerController {
  constructor(
    private readonly inbox: InboxService,
    private readonly receipts: ReceiptIntake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A package delivered: 202 when stored, 200 when it was already here (a redelivery). */
  @Post('inbox')
  @Public()
  @RouteConfig({ upload: true, peer: true })
  async receive(
    @Body() body: Readable,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InboxAnswer> {
    const jwe = await readCapped(body, this.config.TRANSFER_PACKAGE_MAX_BYTES);
    const answer = await this.inbox.receive(jwe, String(req.id));
    void reply.status(answer.duplicate ? 200 : 202);
    return answer;
  }

  /** The receiver's signed acknowledgement of a package sent from here. */
  @Post('receipts')
  @Public()
  @HttpCode(200)
  @RouteConfig({ upload: true, peer: true })
  async receipt(@Body() body: Readable, @Req() req: FastifyRequest): Promise<ReceiptAnswer> {
    const jws = await readCapped(body, 64 * 1024);
    return this.receipts.take(jws, String(req.id));
  }
}
