import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Public } from '../authorize.decorator';
import { DevTokenDto } from './dev-idp.dto';
import { DevIdentityProvider } from './dev-idp.service';

/** Only registered when AUTH_DEV_IDP=on (AuthModule.forRoot). */
@Controller('dev-idp')
export class DevIdpController {
  constructor(private readonly idp: DevIdentityProvider) {}

  @Get('.well-known/openid-configuration')
  @Public()
  configuration() {
    return {
      issuer: this.idp.issuer,
      jwks_uri: `${this.idp.issuer}/jwks.json`,
      token_endpoint: `${this.idp.issuer}/token`,
      id_token_signing_alg_values_supported: ['EdDSA'],
      subject_types_supported: ['public'],
      response_types_supported: ['id_token'],
    };
  }

  @Get('jwks.json')
  @Public()
  jwks() {
    return this.idp.jwks;
  }

  @Post('token')
  @Public()
  @HttpCode(200)
  async token(@Body() user: DevTokenDto) {
    const { token, expiresIn } = await this.idp.issue(user);
    return { access_token: token, id_token: token, token_type: 'Bearer', expires_in: expiresIn };
  }
}
