import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { KommunCode } from '../common/http/path-params';
import { KeyId, RevokeKeyDto, RotateKeyDto } from './keys.dto';
import { KommunKeyResource } from './keys.mapper';
import { KeysService } from './keys.service';
import { Authorize } from '../auth/authorize.decorator';

/** Administration of a kommun's keys: metadata only, never a private part. */
@Controller('v1/kommuner/:kommunCode/keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @Authorize('keys:read')
  async list(@KommunCode() kommunCode: string): Promise<{ data: KommunKeyResource[] }> {
    return { data: await this.keys.list(kommunCode) };
  }

  @Post('rotate')
  @Authorize('keys:manage')
  rotate(
    @KommunCode() kommunCode: string,
    @Body() dto: RotateKeyDto,
  ): Promise<{ active: KommunKeyResource; retired: KommunKeyResource[] }> {
    return this.keys.rotate(kommunCode, dto.use, dto.alg, {
      crv: dto.crv,
      gracePeriodDays: dto.gracePeriodDays,
    });
  }

  @Post(':kid/revoke')
  @Authorize('keys:manage')
  @HttpCode(200)
  revoke(
    @KommunCode() kommunCode: string,
    @KeyId() kid: string,
    @Body() dto: RevokeKeyDto,
  ): Promise<KommunKeyResource> {
    return this.keys.revoke(kommunCode, kid, dto.reason);
  }
}
