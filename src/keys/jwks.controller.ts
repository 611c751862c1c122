import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { KommunCode } from '../common/http/path-params';
import { Jwks, KeysService } from './keys.service';
import { Public } from '../auth/authorize.decorator';

/** RFC 7517 §8.5. */
const JWKS_TYPE = 'application/jwk-set+json';

function sendJwks(reply: FastifyReply, jwks: Jwks): string {
  // Verifiers cache for five minutes; a rotation's new key is published before anything signs with it
  // only through such a window, which is why retired keys keep verifying for far longer.
  void reply.type(JWKS_TYPE).header('cache-control', 'public, max-age=300');
  return JSON.stringify(jwks);
}

/** Public keys, for verifiers and senders anywhere: no kommun scope, no private parts. */
@Controller()
export class JwksController {
  constructor(private readonly keys: KeysService) {}

  @Get('.well-known/jwks.json')
  @Public()
  async all(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return sendJwks(reply, await this.keys.allPublicJwks());
  }

  @Get('kommuner/:kommunCode/.well-known/jwks.json')
  @Public()
  async kommun(
    @KommunCode() kommunCode: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendJwks(reply, await this.keys.publicJwks(kommunCode));
  }
}
