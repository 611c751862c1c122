import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTHORIZE_KEY, PUBLIC_KEY } from './authorize.decorator';

/**
 * Refuses to start while any route names neither its action (@Authorize) nor @Public: a route that
 * forgot would otherwise be refused to everyone at run time, or, worse, someone would "fix" the guard.
 */
@Injectable()
export class RoutePolicyCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (abstract new (...args: never[]) => unknown) | undefined;
      if (!type) continue;
      const prototype = type.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const targets = [handler, type];
        const named =
          this.reflector.getAllAndOverride<unknown>(AUTHORIZE_KEY, targets as never) ??
          this.reflector.getAllAndOverride<unknown>(PUBLIC_KEY, targets as never);
        if (!named) missing.push(`${type.name}.${name}`);
      }
    }
    if (missing.length > 0) {
      throw new Error(`Routes without an access policy (@Authorize or @Public): ${missing.join(', ')}`);
    }
  }
}
