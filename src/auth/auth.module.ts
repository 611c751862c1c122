import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { AdaptersModule } from '../adapters/adapters.module';
import { accessProviders } from '../bench/bench-without';
import type { AppConfig } from '../config/env.schema';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { AccessGuard } from './access.guard';
import { DevIdpController } from './dev-idp/dev-idp.controller';
import { DevIdentityProvider } from './dev-idp/dev-idp.service';
import { OAuthController } from './oauth/oauth.controller';
import { PlatformClientsService } from './oauth/platform-clients.service';
import { TokenService } from './oauth/token.service';
import { PeopleTokensVerifier } from './people/people-tokens.verifier';
import { RateLimits } from './rate-limits';
import { RoutePolicyCheck } from './route-policy.check';
import { AccessTokensService } from './tokens/access-tokens.service';
import { WebSessions } from './web-session/web-sessions.service';

/**
 * Who may do what: platforms' OAuth clients and token endpoint, people's tokens from trusted
 * identity providers, the development identity provider (AUTH_DEV_IDP=on only), and the one guard
 * that applies the policy table to every route.
 */
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    const devIdp = config.AUTH_DEV_IDP === 'on';
    return {
      module: AuthModule,
      // Global: the web pages' sign-in uses its verifier, sessions and development provider.
      global: true,
      imports: [KeysModule, KommunerModule, AdaptersModule, AuditModule, DiscoveryModule],
      controllers: [OAuthController, ...(devIdp ? [DevIdpController] : [])],
      providers: [
        AccessTokensService,
        PeopleTokensVerifier,
        // The authenticator and the access audit (stand-ins only under the bench-only BENCH_WITHOUT).
        ...accessProviders(config),
        RateLimits,
        PlatformClientsService,
        TokenService,
        RoutePolicyCheck,
        WebSessions,
        ...(devIdp ? [DevIdentityProvider] : []),
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [
        AccessTokensService,
        RoutePolicyCheck,
        WebSessions,
        PeopleTokensVerifier,
        ...(devIdp ? [DevIdentityProvider] : []),
      ],
    };
  }
}
