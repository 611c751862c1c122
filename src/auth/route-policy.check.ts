import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Action } from './actions';
import { AUTHORIZE_KEY, PUBLIC_KEY } from './authorize.decorator';

/** One route and what it needs: an action of the policy table, or nothing (public). */
export interface RoutePolicy {
  method: string;
  /** As OpenAPI writes it: /v1/kommuner/{kommunCode}/records */
  path: string;
  action: Action | 'public' | undefined;
  handler: string;
}

const joinPath = (...parts: string[]): string =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`.replace(/:([A-Za-z]+)/g, '{$1}');

/**
 * Knows every route's access policy, and refuses to start while any route names neither its action
 * (@Authorize) nor @Public: a route that forgot would be refused to everyone at run time, or worse,
 * someone would "fix" the guard.
 */
@Injectable()
export class RoutePolicyCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing = this.routes().filter((r) => r.action === undefined);
    if (missing.length > 0) {
      throw new Error(
        `Routes without an access policy (@Authorize or @Public): ${missing.map((r) => r.handler).join(', ')}`,
      );
    }
  }

  routes(): RoutePolicy[] {
    const routes: RoutePolicy[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (abstract new (...args: never[]) => unknown) | undefined;
      if (!type) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, type) as string | string[]].flat()[0] ?? '';
      const prototype = type.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const targets = [handler, type] as never;
        const action = this.reflector.getAllAndOverride<Action | undefined>(AUTHORIZE_KEY, targets);
        const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets);
        routes.push({
          method,
          path: joinPath(base, [path].flat()[0]),
          action: action ?? (isPublic ? 'public' : undefined),
          handler: `${type.name}.${name}`,
        });
      }
    }
    return routes;
  }
}
