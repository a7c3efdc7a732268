// OpenSSL as the independent tool that makes certificates and answers OCSP for tests: EC P-256 keys,
// self-signed CAs, CSRs and CA-signed leaves (`openssl req` / `openssl x509 -req`), and `openssl ocsp`
// as an offline responder (-reqin/-respout) or a listening one (-port). Paths are relative to `cwd`
// when one is given.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { TestCertificate } from '../../drivers/sim/pki.ts';
import { freePort, startSilentServer, type SilentServer } from './net.ts';

/** Runs openssl and returns its standard output; a failure throws with openssl's stderr. */
export function openssl(args: string[], o: { cwd?: string } = {}): string {
  return execFileSync('openssl', args, { cwd: o.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `openssl req` options for a fresh, unencrypted EC P-256 key. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface SelfSignedOptions {
  /** Where the new private key goes (`/dev/null` to drop it). */
  keyout: string;
  /** Where the certificate goes; without it the PEM is returned. */
  out?: string;
  subj: string;
  days: number;
  /** Further `openssl req` arguments (-addext, -config, -extensions…). */
  extra?: string[];
  cwd?: string;
}

/** A self-signed EC P-256 certificate (`openssl req -x509`); returns openssl's stdout (the PEM when no `out`). */
export function selfSignedP256(o: SelfSignedOptions): string {
  return openssl(
    ['req', '-x509', ...NEW_P256_KEY, '-keyout', o.keyout, ...(o.out ? ['-out', o.out] : []), '-subj', o.subj, '-days', String(o.days), ...(o.extra ?? [])],
    { cwd: o.cwd },
  );
}

/** A certificate signing request for a fresh EC P-256 key. */
export function csrP256(o: { keyout: string; out: string; subj: string; cwd?: string }): void {
  openssl(['req', '-new', ...NEW_P256_KEY, '-keyout', o.keyout, '-out', o.out, '-subj', o.subj], { cwd: o.cwd });
}

export interface SignCsrOptions {
  csr: string;
  ca: string;
  caKey: string;
  out: string;
  days: number;
  /** Extensions file; without it the certificate carries none. */
  extfile?: string;
  /** A fixed serial; without it openssl keeps a serial file beside the CA. */
  serial?: string;
  cwd?: string;
}

/** The CA signs the request (`openssl x509 -req`). */
export function signCsr(o: SignCsrOptions): void {
  openssl(
    [
      'x509',
      '-req',
      '-in',
      o.csr,
      '-CA',
      o.ca,
      '-CAkey',
      o.caKey,
      ...(o.serial ? ['-set_serial', o.serial] : ['-CAcreateserial']),
      '-out',
      o.out,
      '-days',
      String(o.days),
      ...(o.extfile ? ['-extfile', o.extfile] : []),
    ],
    { cwd: o.cwd },
  );
}

/** A line of an `openssl ca` index file (the OCSP responder's database). Times are YYMMDDHHMMSSZ. */
export function indexLine(cert: TestCertificate, cn: string, o: { expires?: string; revoked?: string } = {}): string {
  return `${o.revoked ? 'R' : 'V'}\t${o.expires ?? '301231000000Z'}\t${o.revoked ?? ''}\t${cert.x509.serialNumber}\tunknown\t/CN=${cn}`;
}

/** A date in the index file's form (YYMMDDHHMMSSZ). */
export const opensslTime = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;

/**
 * Writes what `openssl ocsp` needs into `dir`: the CA (ca.pem, ca.key, the CA signs its own answers)
 * and index.txt with the given lines. Returns the responder's arguments for that database.
 */
export function writeOcspDatabase(dir: string, ca: TestCertificate, lines: string[]): string[] {
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'ca.key'), ca.privateKeyPem);
  writeFileSync(join(dir, 'index.txt'), `${lines.join('\n')}\n`);
  return ocspDatabaseArgs(dir);
}

/** `openssl ocsp` arguments for the database writeOcspDatabase left in `dir`, the CA signing. */
export function ocspDatabaseArgs(dir: string): string[] {
  return ['-index', join(dir, 'index.txt'), '-rsigner', join(dir, 'ca.pem'), '-rkey', join(dir, 'ca.key'), '-CA', join(dir, 'ca.pem')];
}

/** OpenSSL's answer to a DER OCSP request, offline (`-reqin`/`-respout` in `dir`). */
export function ocspRespond(dir: string, responderArgs: string[], req: Buffer, extra: string[] = []): Buffer {
  writeFileSync(join(dir, 'req.der'), req);
  openssl(['ocsp', ...responderArgs, '-reqin', join(dir, 'req.der'), '-respout', join(dir, 'resp.der'), ...extra]);
  return readFileSync(join(dir, 'resp.der'));
}

export interface OcspResponder {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): void;
}

/**
 * `openssl ocsp -port` on a free port, ready when it says so (a probe connection would block the
 * single-threaded responder). Its -port binds every address: run it inside scripts/in-testnet.sh.
 */
export async function startOcspResponder(responderArgs: string[]): Promise<OcspResponder> {
  const port = await freePort();
  const child = spawn('openssl', ['ocsp', ...responderArgs, '-port', String(port), '-ignore_err'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${text}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('waiting for OCSP client connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`openssl ocsp exited (${code}): ${text}`));
    });
  });
  return { port, url: `http://127.0.0.1:${port}`, process: child, stop: () => child.kill() };
}

export interface OcspResponders {
  dir: string;
  /** `openssl ocsp -port` over the database. */
  responder: OcspResponder;
  /** A server that accepts and never answers (a hung responder). */
  silent: SilentServer;
}

/**
 * For the tests of this file: a temporary directory, an `openssl ocsp` responder over the database that
 * `database(dir)` writes (writeOcspDatabase; it may write more into `dir`), and a responder that never
 * answers; all stopped and removed after the tests.
 */
export function useOcspResponders(prefix: string, database: (dir: string) => string[]): OcspResponders {
  const o = {} as OcspResponders;
  beforeAll(async () => {
    o.dir = mkdtempSync(join(tmpdir(), prefix));
    o.responder = await startOcspResponder(database(o.dir));
    o.silent = await startSilentServer();
  }, 30_000);
  afterAll(() => {
    o.responder?.stop();
    o.silent?.close();
    if (o.dir) rmSync(o.dir, { recursive: true, force: true });
  });
  return o;
}
