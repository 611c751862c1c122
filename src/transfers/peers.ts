import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { TrustRegistry } from '../trust/trust-registry.service';

/**
 * What the transfer flow needs of the trust registry: where a trusted peer is reached, and the keys
 * its acknowledgements verify with. One place, so the flow does not depend on the registry's shape.
 */
@Injectable()
export class Peers {
  constructor(private readonly trust: TrustRegistry) {}

  /** The peer's base URL if `host` trusts kommun `code` now; undefined otherwise. */
  async baseUrl(host: string, code: string): Promise<string | undefined> {
    const peer = await this.trust.peer(host, code);
    if (!peer) return undefined;
    return peer.baseUrl.replace(/\/+$/, '');
  }

  /** Keys that verify what kommun `code` signs, as `host` trusts them (revoked keys left out). */
  async verificationKeys(host: string, code: string): Promise<JWTVerifyGetKey> {
    return createLocalJWKSet(await this.trust.verificationKeys(host, code));
  }
}
