import type { Response } from 'supertest';

/** The whole problem+json body we expect, with the request's own correlation id and path filled in. */
export function expectProblem(
  res: Response,
  status: number,
  slug: string,
  code: string,
  extra: { errors?: unknown[]; detail?: unknown } = {},
): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body: Record<string, unknown> = {
    type: `urn:portabel:problem:${slug}`,
    title: expect.any(String),
    status,
    detail: extra.detail ?? expect.any(String),
    code,
    instance: (res as unknown as { req: { path: string } }).req.path.split('?')[0],
    correlationId: res.headers['x-request-id'],
  };
  if (extra.errors) body.errors = extra.errors;
  expect(res.body).toEqual(body);
}
