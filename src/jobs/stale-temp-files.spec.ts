import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempFolders, STALE_AFTER_MS } from './stale-temp-files';

describe('removeStaleTempFolders', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stale-temp-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const folder = (name: string, ageMs: number) => {
    const path = join(dir, name);
    mkdirSync(path);
    writeFileSync(join(path, 'run-0.txt'), 'x');
    const when = new Date(Date.now() - ageMs);
    utimesSync(path, when, when);
    return path;
  };

  it("removes conversions' folders older than a day, and nothing else", () => {
    const old = [
      folder('portabel-oneroster-abc', 2 * STALE_AFTER_MS),
      folder('portabel-spill-abc', STALE_AFTER_MS + 60_000),
      folder('portabel-upload-abc', 3 * STALE_AFTER_MS),
    ];
    const kept = [
      folder('portabel-ss12000-new', 60_000), // a running export's
      folder('portabel-pg-old', 3 * STALE_AFTER_MS), // the embedded database's socket
      folder('someone-elses-old', 3 * STALE_AFTER_MS),
    ];
    expect(removeStaleTempFolders(dir)).toBe(3);
    for (const path of old) expect(existsSync(path)).toBe(false);
    for (const path of kept) expect(existsSync(path)).toBe(true);
  });
});
