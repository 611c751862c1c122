import { Controller, Get } from '@nestjs/common';
import type { AccessContext } from '../auth/access.guard';
import { Access } from '../auth/access-context.decorators';
import { Authorize } from '../auth/authorize.decorator';
import { MeResource, MeService } from './me.service';

@Controller('v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @Authorize('me:read')
  get(@Access() access: AccessContext): Promise<MeResource> {
    return this.me.me(access);
  }
}
