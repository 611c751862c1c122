import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { rateLimited } from './auth.errors';
import type { Principal } from './principal';

/**
 * Requests per minute per person, per platform client, and per address on the routes anyone may
 * call. Counted in this instance's memory: with N instances behind a balancer the limit is N times
 * higher, which is the point of a limit that protects each instance.
 */
@Injectable()
export class RateLimits {
  private readonly person: RateLimiterMemory;
  private readonly platform: RateLimiterMemory;
  private readonly anonymous: RateLimiterMemory;
  private readonly peer: RateLimiterMemory;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.person = new RateLimiterMemory({
      keyPrefix: 'person',
      points: config.RATE_LIMIT_PERSON,
      duration: 60,
    });
    this.platform = new RateLimiterMemory({
      keyPrefix: 'platform',
      points: config.RATE_LIMIT_PLATFORM,
      duration: 60,
    });
    this.anonymous = new RateLimiterMemory({
      keyPrefix: 'anon',
      points: config.RATE_LIMIT_ANONYMOUS,
      duration: 60,
    });
    // Another portabel delivering a closing school's packages sends thousands in minutes.
    this.peer = new RateLimiterMemory({ keyPrefix: 'peer', points: config.RATE_LIMIT_PEER, duration: 60 });
  }

  async charge(principal: Principal): Promise<void> {
    const limiter = principal.kind === 'person' ? this.person : this.platform;
    await consume(limiter, `${principal.kommunCode ?? '-'}/${principal.issuer ?? ''}/${principal.subject}`);
  }

  /** Routes anyone may call; `peer` for those only other portabel instances call (inbox, acknowledgements). */
  async chargeAddress(address: string, kind: 'anonymous' | 'peer' = 'anonymous'): Promise<void> {
    await consume(kind === 'peer' ? this.peer : this.anonymous, address);
  }
}

async function consume(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    throw res;
  }
}
