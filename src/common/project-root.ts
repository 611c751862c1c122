import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding `openapi/` and `package.json`. Found by walking up, so the same code works
 * from `src/` under jest and from `dist/src/` once compiled.
 */
export function projectRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'openapi', 'openapi.yaml')) && existsSync(join(dir, 'package.json'))) {
      return (cached = dir);
    }
    if (dirname(dir) === dir)
      throw new Error('Cannot find the project root (a folder with openapi/openapi.yaml)');
  }
}
