import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
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
    clientErrorHandler: answerClientError,
  });
}

/**
 * A request Node's parser refuses before Fastify sees it (headers too large, too slow to arrive, not
 * HTTP): answered as a problem like every other error, then the connection is closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [problem, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          PROBLEMS.headersTooLarge,
          'HTTP.HEADERS_TOO_LARGE',
          'The request headers exceed the size this service reads.',
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [PROBLEMS.requestTimeout, 'HTTP.REQUEST_TIMEOUT', 'The request did not arrive in time.']
        : [PROBLEMS.malformedRequest, 'HTTP.BAD_REQUEST', 'The request is not well-formed HTTP.'];
  const body = JSON.stringify(problemDocument(problem, code, detail, {}));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/** Reads a body whole, refusing (413) past `limit` bytes, before reading any of it when the length says so. */
function readLimited(stream: NodeJS.ReadableStream, limit: number, declaredLength?: string): Promise<Buffer> {
  const tooLarge = () => httpError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large');
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    stream.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The Content-Security-Policy of the web pages: only our own files, no inline script or style. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const isWebPage = (url: string): boolean =>
  url === '/app' ||
  url.startsWith('/app/') ||
  url.startsWith('/app?') ||
  url.startsWith('/dev-idp/authorize');

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

  // Routes marked @RouteConfig({ upload: true }) take any body as a stream (file imports);
  // every other route takes JSON only, read whole up to BODY_LIMIT and parsed strictly.
  const isUpload = (req: FastifyRequest): boolean =>
    Boolean((req.routeOptions.config as { upload?: boolean }).upload);
  // Form bodies only where a standard demands them (the OAuth token endpoint, RFC 6749 §4.4.2): a form
  // is what a foreign page can post without asking (no CORS preflight), so no other route reads one.
  const takesForm = (req: FastifyRequest): boolean =>
    Boolean((req.routeOptions.config as { form?: boolean }).form);
  fastify.addContentTypeParser('application/x-www-form-urlencoded', (req, payload, done) => {
    if (!takesForm(req)) {
      payload.resume();
      return done(
        httpError(
          415,
          'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          'Unsupported Media Type: application/x-www-form-urlencoded',
        ),
        undefined,
      );
    }
    readLimited(payload, config.BODY_LIMIT, req.headers['content-length']).then(
      (body) => done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8')))),
      (err: Error) => done(err, undefined),
    );
  });
  // Fastify reads text/plain bodies by default; nothing here takes one, and JSON sent as text/plain is
  // what a foreign page can post without a CORS preflight: refuse it with the rest (415, below).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('application/json', (req, payload, done) => {
    if (isUpload(req)) return done(null, payload);
    readLimited(payload, config.BODY_LIMIT, req.headers['content-length'])
      .then((body) => parseStrictJson(body))
      .then(
        (value) => done(null, value),
        (err: Error) => done(err, undefined),
      );
  });
  // Bulk bodies stream through to the handler, never held whole in memory.
  fastify.addContentTypeParser('application/x-ndjson', (_req, payload, done) => done(null, payload));
  fastify.addContentTypeParser('*', (req, payload, done) => {
    if (isUpload(req)) return done(null, payload);
    done(
      httpError(
        415,
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        `Unsupported Media Type: ${req.headers['content-type'] ?? 'none'}`,
      ),
      undefined,
    );
  });

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Security headers on every response. An API answers JSON, so its policy forbids everything a page
  // could do; the docs page (/docs) sets its own, looser one for its local scripts and styles.
  await app.register(fastifyHelmet as never, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: config.PUBLIC_BASE_URL.startsWith('https://') ? { maxAge: 31_536_000 } : false,
  });
  // The web pages (/app, and the development provider's sign-in page) load our own CSS and script and
  // post forms to us; nothing inline, nothing from elsewhere, never in a frame. The API keeps its own.
  fastify.addHook('onSend', async (request, reply) => {
    if (isWebPage(request.url)) {
      reply.header('content-security-policy', WEB_CSP);
      // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on our own form
      // posts, and the guard's origin check needs the real one. Other sites still get no referrer.
      reply.header('referrer-policy', 'same-origin');
    }
  });
  // CORS is closed unless origins are named: then only they may call from a browser, with a token.
  if (config.CORS_ORIGINS) {
    await app.register(fastifyCors, {
      origin: config.CORS_ORIGINS.split(','),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'if-match',
        'if-none-match',
        'idempotency-key',
        'x-request-id',
      ],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'x-upsert-result', 'retry-after'],
      credentials: false,
      maxAge: 600,
    });
  }

  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new ProblemValidationPipe());

  const document = loadOpenApiDocument();
  fastify.get('/openapi.json', async (_req, reply) => reply.type('application/json').send(document));
  await app.register(fastifySwagger as never, { mode: 'static', specification: { document } });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true },
    staticCSP: true,
    transformStaticCSP: (header: string) => `${header}; frame-ancestors 'none'`,
  });
}
