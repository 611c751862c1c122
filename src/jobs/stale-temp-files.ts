import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The temporary folders conversions make (uploads, staged inputs, sorted rows, loss entries, SS 12000
 * bundles and spill files). Each is removed when its job ends, but not when the process is killed, and
 * a kommun's export leaves hundreds of megabytes. The embedded database's socket folder is not one.
 */
const CONVERSION_TEMP = /^portabel-(upload|import|spill|loss|oneroster|ss12000)-/;

/** Older than any job runs: a folder this old belongs to no running conversion, here or elsewhere. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Removes conversions' temporary folders untouched for `staleAfterMs`; returns how many. */
export function removeStaleTempFolders(
  dir = tmpdir(),
  now = Date.now(),
  staleAfterMs = STALE_AFTER_MS,
): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!CONVERSION_TEMP.test(name)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < staleAfterMs) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // gone already, or not ours to remove: another instance's, or no permission
    }
  }
  return removed;
}

/** At start, what killed processes left behind in the temporary directory goes. */
@Injectable()
export class StaleTempFiles implements OnApplicationBootstrap {
  private readonly logger = new Logger(StaleTempFiles.name);

  onApplicationBootstrap(): void {
    try {
      const removed = removeStaleTempFolders();
      if (removed > 0) this.logger.log(`removed ${removed} stale temporary folders of conversions`);
    } catch (err) {
      this.logger.warn(`could not sweep the temporary directory: ${(err as Error).message}`);
    }
  }
}
