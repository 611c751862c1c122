import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, type CompactJWEHeaderParameters, type JWK } from 'jose';
import { PROBLEM_TYPE_BASE } from '../common/problem/problem-types';
import { openPackage, type SenderKeys } from '../transfers/package/open-package';
import type { OpenedPackage } from '../transfers/package/package-format';
import { TransferPackageRefused } from '../transfers/package/transfer-package.errors';
import { JwksFetcher } from '../trust/jwks-fetcher';
import { checkPeerJwks } from '../trust/peer-jwks';

export interface VerifyOptions {
  /** The sender's JWK Set: a file, or an http(s) URL. */
  jwks: string;
  /** The receiver's private encryption key: a JWK, or a JWK Set of them, in a file. */
  key?: string;
  /** The kommun the package must be addressed to; by default whichever its header names. */
  receiver?: string;
  /** Check expiry as of this time (ISO 8601) instead of now: for packages kept as evidence. */
  at?: string;
  /** One JSON object on standard output instead of lines for people. */
  json?: boolean;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 verified, 1 refused (the problem type says why), 2 bad usage, 3 not fully checked. */
export const VERIFIED = 0;
export const REFUSED = 1;
export const USAGE = 2;
export const UNVERIFIED = 3;

/** Thrown by the stand-in decrypter: every check before decryption passed. */
class NoKey extends Error {}

const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * `portabel verify PACKAGE --jwks FILE_OR_URL [--key PRIVATE_JWK_FILE] [--receiver CODE]`: checks a
 * transfer package offline with the same code the receiving service runs (openPackage). Without the
 * receiver's private key only the outer layer can be checked: who it says it is from and to, and
 * its algorithms; the sender's signature is inside the encryption and cannot be checked.
 */
export async function verifyPackage(file: string, opts: VerifyOptions, io: Output = stdio): Promise<number> {
  let jwe: string;
  let senderKeys: SenderKeys;
  let now: Date | undefined;
  try {
    jwe = readFileSync(file === '-' ? 0 : file, 'utf8').trim();
    senderKeys = await loadJwks(opts.jwks);
    now = opts.at === undefined ? undefined : parseTime(opts.at);
  } catch (err) {
    io.err(`portabel verify: ${(err as Error).message}`);
    return USAGE;
  }
  const header = peekHeader(jwe);
  let decrypt: JWK | (() => Promise<Uint8Array>);
  if (opts.key) {
    try {
      decrypt = pickKey(JSON.parse(readFileSync(opts.key, 'utf8')), header?.kid);
    } catch (err) {
      io.err(`portabel verify: --key ${opts.key}: ${(err as Error).message}`);
      return USAGE;
    }
  } else {
    decrypt = () => Promise.reject(new NoKey());
  }

  try {
    const opened = await openPackage(jwe, {
      decrypt,
      verificationKeys: senderKeys,
      expectedReceiver: opts.receiver,
      now,
    });
    report(io, opts, { verdict: 'verified', header, ...summary(opened) });
    return VERIFIED;
  } catch (err) {
    if (err instanceof NoKey) {
      report(io, opts, {
        verdict: 'unverified',
        header,
        reason:
          'Only the outer layer was checked (addressing, type, algorithms, size). The sender’s signature, ' +
          'the manifest and the payload are encrypted to the receiver: give its private key with --key ' +
          'to check them.',
      });
      return UNVERIFIED;
    }
    if (err instanceof TransferPackageRefused) {
      report(io, opts, {
        verdict: 'refused',
        header,
        problem: {
          type: PROBLEM_TYPE_BASE + err.problem.slug,
          title: err.problem.title,
          detail: err.detail,
          ...(err.errors ? { errors: err.errors } : {}),
        },
      });
      return REFUSED;
    }
    throw err;
  }
}

async function loadJwks(source: string): Promise<SenderKeys> {
  if (/^https?:\/\//.test(source)) {
    const fetched = await new JwksFetcher().fetch(source);
    if (!fetched.ok) throw new Error(`--jwks: ${fetched.error}`);
    return fetched.jwks;
  }
  const checked = checkPeerJwks(JSON.parse(readFileSync(source, 'utf8')));
  if ('errors' in checked) {
    throw new Error(`--jwks ${source}: ${checked.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`);
  }
  return checked.jwks;
}

function parseTime(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new Error(`--at must be an ISO 8601 date and time, not ${value}`);
  }
  return at;
}

function peekHeader(jwe: string): CompactJWEHeaderParameters | null {
  try {
    return decodeProtectedHeader(jwe) as CompactJWEHeaderParameters;
  } catch {
    return null;
  }
}

/** The private key the package names, from a JWK or a JWK Set; the only one if it names none we have. */
function pickKey(parsed: unknown, kid: unknown): JWK {
  const keys = (parsed as { keys?: unknown }).keys;
  const candidates = (Array.isArray(keys) ? keys : [parsed]) as JWK[];
  const usable = candidates.filter((k) => k && typeof k === 'object' && typeof k.d === 'string');
  if (usable.length === 0) throw new Error('holds no private key (a JWK with d)');
  return usable.find((k) => k.kid !== undefined && k.kid === kid) ?? usable[0];
}

function summary(opened: OpenedPackage) {
  return {
    sender: opened.sender,
    manifest: opened.manifest,
    payload: {
      lossEntries: opened.payload.loss.length,
      recordSchemaVersion: opened.payload.record.schemaVersion,
    },
  };
}

type Verdict = {
  verdict: 'verified' | 'unverified' | 'refused';
  header: CompactJWEHeaderParameters | null;
  reason?: string;
  problem?: { type: string; title: string; detail: string; errors?: unknown[] };
} & Partial<ReturnType<typeof summary>>;

/** No personal data is printed: the manifest names the pupil by the sender's reference only. */
function report(io: Output, opts: VerifyOptions, v: Verdict): void {
  if (opts.json) {
    io.out(JSON.stringify(v, null, 2));
    return;
  }
  const h = v.header;
  const addressed = h ? `from kommun ${String(h.iss)} to kommun ${String(h.aud)}` : 'unreadable header';
  switch (v.verdict) {
    case 'verified':
      io.out(`VERIFIED: transfer package ${v.manifest!.jti} ${addressed}`);
      io.out(
        `signed by ${v.sender!.kid} (${v.sender!.alg}); decrypted; payload hash and record schema checked`,
      );
      io.out(JSON.stringify(v.manifest, null, 2));
      io.out(`loss report: ${v.payload!.lossEntries} entries`);
      break;
    case 'unverified':
      io.out(
        `NOT VERIFIED: a transfer package ${addressed}, encrypted to ${String(h?.kid)} (${String(h?.alg)}, ${String(h?.enc)})`,
      );
      io.out(v.reason!);
      break;
    case 'refused':
      io.out(`REFUSED: ${v.problem!.type}`);
      io.out(`${v.problem!.title}: ${v.problem!.detail}`);
      for (const e of (v.problem!.errors ?? []) as { pointer?: string; detail: string }[]) {
        io.out(`  ${e.pointer ?? ''} ${e.detail}`);
      }
      break;
  }
}
