import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from './config/env.schema';
import { parseStrictJson } from './common/http/strict-json';
import { ProblemFilter } from './common/problem/problem.filter';
import { PROBLEM_CONTENT_TYPE, problemDocument } from './common/problem/problem';
import { PROBLEMS } from './common/problem/problem-types';
import { ProblemValidationPipe } from './common/validation/validation-pipe';
import { loadOpenApiDocument } from './openapi/openapi-document';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's X-Request-Id is kept when it is a plain token; otherwise we make one. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT,
    genReqId: requestId,
    requestIdHeader: false,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    // Errors Fastify raises before routing (a malformed URL, say) bypass Nest's filters.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const body = problemDocument(PROBLEMS.malformedRequest, 'HTTP.BAD_URL', error.message, {
        instance: request.url.split('?')[0],
        correlationId: String(request.id),
      });
      void reply.status(400).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
    },
  });
}

export interface RouteInfo {
  method: string;
  url: string;
}

/** Routes as Fastify registered them; the contract test compares them with openapi/. */
export function registeredRoutes(app: NestFastifyApplication): RouteInfo[] {
  return (app.getHttpAdapter().getInstance() as unknown as { portabelRoutes: RouteInfo[] }).portabelRoutes;
}

/**
 * Everything about the HTTP surface that is not a controller: parsing, errors, the contract and docs.
 * main.ts and the tests both call it, so tests run exactly what production runs.
 */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();

  const routes: RouteInfo[] = [];
  fastify.decorate('portabelRoutes', routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
  });

  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseStrictJson(body));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // Bulk bodies stream through to the handler, never held whole in memory.
  fastify.addContentTypeParser(
    'application/x-ndjson',
    { bodyLimit: config.BULK_BODY_LIMIT },
    (_req, payload, done) => done(null, payload),
  );

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
  });

  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new ProblemValidationPipe());

  const document = loadOpenApiDocument();
  fastify.get('/openapi.json', async (_req, reply) => reply.type('application/json').send(document));
  await app.register(fastifySwagger as never, { mode: 'static', specification: { document } });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
}
