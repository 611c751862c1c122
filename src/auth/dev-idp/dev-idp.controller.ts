import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KommunerService } from '../../kommuner/kommuner.service';
import { demoPeople } from '../../seed/demo-people';
import { langOf } from '../../web/web-request';
import { Public } from '../authorize.decorator';
import { ROLES, type Role } from '../roles';
import { authorizePage } from './dev-idp-pages';
import { DevTokenDto } from './dev-idp.dto';
import { CodeExchangeError, DevIdentityProvider, type AuthorizationRequest } from './dev-idp.service';

type Form = Record<string, string | undefined>;

/** The authorization request of a query or a form; undefined unless it is a well-formed one of our client. */
function authorizationRequest(p: Form, idp: DevIdentityProvider): AuthorizationRequest | undefined {
  const req = {
    clientId: p.client_id ?? '',
    redirectUri: p.redirect_uri ?? '',
    state: p.state ?? '',
    nonce: p.nonce ?? '',
    codeChallenge: p.code_challenge ?? '',
  };
  const token = /^[A-Za-z0-9_-]{16,128}$/;
  const ok =
    idp.isOwnClient(req) &&
    token.test(req.state) &&
    token.test(req.nonce) &&
    /^[A-Za-z0-9_-]{43}$/.test(req.codeChallenge);
  return ok ? req : undefined;
}

/** Only registered when AUTH_DEV_IDP=on (AuthModule.forRoot). */
@Controller('dev-idp')
export class DevIdpController {
  constructor(
    private readonly idp: DevIdentityProvider,
    private readonly kommuner: KommunerService,
  ) {}

  @Get('.well-known/openid-configuration')
  @Public()
  configuration() {
    return {
      issuer: this.idp.issuer,
      jwks_uri: `${this.idp.issuer}/jwks.json`,
      authorization_endpoint: `${this.idp.issuer}/authorize`,
      token_endpoint: `${this.idp.issuer}/oauth2/token`,
      id_token_signing_alg_values_supported: ['EdDSA'],
      subject_types_supported: ['public'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    };
  }

  @Get('jwks.json')
  @Public()
  jwks() {
    return this.idp.jwks;
  }

  /** Anyone as anyone, directly (tests and scripts; README's walk-through). */
  @Post('token')
  @Public()
  @HttpCode(200)
  async token(@Body() user: DevTokenDto) {
    const { token, expiresIn } = await this.idp.issue(user);
    return { access_token: token, id_token: token, token_type: 'Bearer', expires_in: expiresIn };
  }

  /** OIDC authorization endpoint: a page of demo people to sign in as (code flow, PKCE S256 only). */
  @Get('authorize')
  @Public()
  @Header('cache-control', 'no-store')
  async authorizeForm(@Query() query: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const req = authorizationRequest(query, this.idp);
    if (query.response_type !== 'code' || query.code_challenge_method !== 'S256' || !req) {
      return reply.status(400).type('text/plain; charset=utf-8').send('invalid authorization request');
    }
    return reply
      .type('text/html; charset=utf-8')
      .send(authorizePage(langOf(request), req, await this.people()));
  }

  @Post('authorize')
  @Public()
  @RouteConfig({ form: true })
  async authorize(@Body() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const req = authorizationRequest(form, this.idp);
    if (!req)
      return reply.status(400).type('text/plain; charset=utf-8').send('invalid authorization request');
    const people = await this.people();
    const person = people.find((p) => p.key === form.person);
    const role = form.role as Role | undefined;
    const custom =
      !person &&
      role &&
      ROLES.includes(role) &&
      role !== 'platform' &&
      role !== 'peer' &&
      role !== 'operator' &&
      /^[0-9]{4}$/.test(form.kommun ?? '') &&
      (!form.civicNo || /^[0-9]{12}$/.test(form.civicNo));
    if (!person && !custom) {
      const lang = langOf(request);
      const error = lang === 'sv' ? 'Ange en kommunkod med fyra siffror.' : 'Give a four-digit kommun code.';
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(authorizePage(lang, req, people, error));
    }
    const code = this.idp.authorize(
      req,
      person
        ? {
            sub: person.sub,
            name: person.name,
            kommun: person.kommun,
            roles: person.roles,
            civicNo: person.civicNo,
          }
        : {
            sub: `dev-${role}-${form.kommun}-${form.civicNo ?? 'staff'}`,
            name: form.name || undefined,
            kommun: form.kommun,
            roles: [role!],
            civicNo: form.civicNo || undefined,
          },
    );
    const to = new URL(req.redirectUri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', req.state);
    return reply.status(303).header('location', to.toString()).send();
  }

  /** OIDC token endpoint for the code flow (RFC 6749 §4.1.3, PKCE RFC 7636). */
  @Post('oauth2/token')
  @Public()
  @RouteConfig({ form: true })
  @Header('cache-control', 'no-store')
  async exchange(@Body() form: Form, @Res() reply: FastifyReply) {
    try {
      const { token, expiresIn } = await this.idp.exchange(form);
      return reply.send({
        access_token: token,
        id_token: token,
        token_type: 'Bearer',
        expires_in: expiresIn,
      });
    } catch (err) {
      if (!(err instanceof CodeExchangeError)) throw err;
      return reply
        .status(err.error === 'invalid_client' ? 401 : 400)
        .send({ error: err.error, error_description: err.message });
    }
  }

  private async people() {
    return (await this.kommuner.list()).flatMap((k) => demoPeople(k));
  }
}
