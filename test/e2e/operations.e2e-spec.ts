import request from 'supertest';
import { registeredRoutes } from '../../src/configure-app';
import { loadOpenApiDocument } from '../../src/openapi/openapi-document';
import { expectContract } from '../helpers/contract';
import { createTestApp, TestApp } from '../helpers/create-test-app';

describe('operations: health, the contract and its docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers live and ready', async () => {
    const live = await request(t.server).get('/health/live');
    expectContract(live, 'GET', '/health/live');
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await request(t.server).get('/health/ready');
    expectContract(ready, 'GET', '/health/ready');
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info.database.status).toBe('up');
  });

  it('serves the OpenAPI 3.1 document with the learner record schema inside', async () => {
    const res = await request(t.server).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.components.schemas.LearnerRecordV1.properties.pupil).toBeDefined();
    expect(JSON.stringify(res.body)).not.toContain('./schemas/');
  });

  it('renders docs from local assets only', async () => {
    const res = await request(t.server).get('/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });

  it('echoes a caller’s request id, or makes one, on every response', async () => {
    const given = await request(t.server).get('/health/live').set('x-request-id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const made = await request(t.server).get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('has every route in the contract, and every contract path as a route', () => {
    const toTemplate = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');
    const served = new Set(
      registeredRoutes(t.app)
        .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
        // Swagger UI's own assets under /docs/ are not part of the API.
        .filter((r) => !r.url.startsWith('/docs/') && r.url !== '/docs/')
        // The web pages (/app) are pages, not the API: test/e2e/web.e2e-spec.ts covers them.
        .filter((r) => r.url !== '/app' && !r.url.startsWith('/app/'))
        .map((r) => `${r.method} ${toTemplate(r.url)}`),
    );
    expect(served.size).toBeGreaterThan(15);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(loadOpenApiDocument().paths ?? {})) {
      for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
        if ((item as Record<string, unknown>)[method]) documented.add(`${method.toUpperCase()} ${path}`);
      }
    }
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  it('lets every operation that takes a body say how a body is refused (400, 413, 415)', () => {
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(loadOpenApiDocument().paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, unknown>)) {
        const operation = op as { requestBody?: unknown; responses?: Record<string, unknown> };
        if (!operation?.requestBody) continue;
        for (const status of ['400', '413', '415'])
          if (!operation.responses?.[status]) undeclared.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});
