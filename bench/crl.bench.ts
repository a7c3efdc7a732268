// `npm run bench:crl`: CRLs of 100k, 1M and 5M entries (RSA-2048/SHA-256, 16-byte serials, 3 in 4 with
// a reason code), each measured in one run: `openssl crl -inform DER -noout` vs idkiosk parse+verify
// (wall time, peak RSS, ratio), full import time and RSS, database size, lookup latency (100k lookups).
// Peak RSS is the child's max RSS from GNU time (`time` Debian package).
// CRL_BENCH_SIZES=100000,1000000 overrides the sizes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readlinkSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { makeCa } from '../test/harness/crl-fixtures.ts';
import { generateCrl } from '../test/harness/crl-generate.ts';
import { CrlStore } from '../daemon/trust/crl/store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = (process.env.CRL_BENCH_SIZES ?? '100000,1000000,5000000').split(',').map(Number);
const work = mkdtempSync(join(process.env.CRL_BENCH_DIR ?? tmpdir(), 'idkiosk-crl-bench-'));
const TSX = join(here, '..', 'node_modules', '.bin', 'tsx');

/** Run a command under GNU time: wall seconds, peak RSS in MB, stdout. */
function timed(cmd: string, args: string[]): { wall: number; rssMB: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} failed: ${r.stderr.slice(-2000)}`);
  return { wall: Number(m[1]), rssMB: Number(m[2]) / 1024, stdout: r.stdout };
}

const f = (n: number, d = 2) => n.toFixed(d);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function main() {
  console.log(`idkiosk CRL benchmark — ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, node ${process.version}`);
  console.log(execFileSync('openssl', ['version']).toString().trim());
  // The product runs through tsx, whose off-thread loader alone costs ~40 MB of RSS. parse+verify is
  // therefore measured twice: as a plain-node bundle of the same sources (the parser's own footprint)
  // and through tsx (what `idkiosk crl import` costs today).
  const bundle = join(work, 'crl-verify-child.mjs');
  await build({ entryPoints: [join(here, 'crl-verify-child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error' });

  const ca = makeCa({ cn: 'Bench CRL CA' });
  const caPem = join(work, 'ca.pem');
  writeFileSync(caPem, ca.cert.toString());
  const rows: string[] = [];
  for (const n of sizes) {
    const file = join(work, `crl-${n}.der`);
    const known: Buffer[] = [];
    const every = Math.max(1, Math.floor(n / 50_000));
    const tg = performance.now();
    const { bytes } = generateCrl({
      out: file,
      entries: n,
      issuer: ca.name,
      signer: ca.signer,
      thisUpdate: new Date(Date.now() - 3600_000),
      nextUpdate: new Date(Date.now() + 7 * 86400_000),
      crlNumber: n,
      onSerial: (i, s) => {
        if (i % every === 0 && known.length < 50_000) known.push(Buffer.from(s));
      },
    });
    const genS = (performance.now() - tg) / 1000;
    const ossl = timed('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout']);
    const plain = timed(process.execPath, [bundle, file, caPem]);
    const plainIn = JSON.parse(plain.stdout) as { ms: number; entries: number };
    if (plainIn.entries !== n) throw new Error(`parsed ${plainIn.entries} entries, expected ${n}`);
    const viaTsx = timed(TSX, [join(here, 'crl-verify-child.ts'), file, caPem]);
    const tsxIn = JSON.parse(viaTsx.stdout) as { ms: number };
    const db = join(work, `db-${n}`);
    const imp = timed(TSX, [join(here, 'crl-child.ts'), file, caPem, db]);
    const impIn = JSON.parse(imp.stdout) as { ms: number; entries: number };
    if (impIn.entries !== n) throw new Error(`imported ${impIn.entries} entries, expected ${n}`);
    const store = new CrlStore(db, { recheckMs: 1000 });
    const issuerId = store.status()[0]!.issuerId;
    const gen = join(db, 'issuers', issuerId, readlinkSync(join(db, 'issuers', issuerId, 'current')));
    const dbMB = statSync(gen).size / 1e6;
    // 100k lookups: half serials that are on the CRL, half random ones that are not
    const probes: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) probes.push(i % 2 ? known[i % known.length]! : Buffer.concat([Buffer.from([0x01]), randomBytes(15)]));
    for (let i = 0; i < 2000; i++) store.lookup(issuerId, probes[i]!); // warm-up
    const lat: number[] = [];
    let hits = 0;
    for (const p of probes) {
      const t = process.hrtime.bigint();
      const row = store.lookup(issuerId, p);
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
      if (row) hits++;
    }
    store.close();
    if (hits !== 50_000) throw new Error(`lookup hits ${hits}, expected 50000`);
    lat.sort((a, b) => a - b);
    const ratio = ossl.wall / (plainIn.ms / 1000);
    rows.push(
      [
        `\n== ${n.toLocaleString('en')} entries, ${f(bytes / 1e6, 1)} MB (generated in ${f(genS)} s)`,
        `openssl crl -noout            wall ${f(ossl.wall)} s   peak RSS ${f(ossl.rssMB, 1)} MB`,
        `idkiosk parse+verify (node)   wall ${f(plainIn.ms / 1000, 3)} s  peak RSS ${f(plain.rssMB, 1)} MB   → ${f(ratio, 1)}× faster, ${f(ossl.rssMB / plain.rssMB, 1)}× less memory   (process incl. start-up ${f(plain.wall)} s)`,
        `idkiosk parse+verify (tsx)    wall ${f(tsxIn.ms / 1000, 3)} s  peak RSS ${f(viaTsx.rssMB, 1)} MB   (${f(ossl.wall / (tsxIn.ms / 1000), 1)}× faster)`,
        `idkiosk full import (tsx)     wall ${f(impIn.ms / 1000)} s = ${f(impIn.ms / 1000 / (n / 1e6))} s per million   peak RSS ${f(imp.rssMB, 1)} MB   database ${f(dbMB, 1)} MB`,
        `lookup (100k, half hits)      median ${f(pct(lat, 0.5))} µs   p99 ${f(pct(lat, 0.99))} µs`,
      ].join('\n'),
    );
    console.log(rows[rows.length - 1]);
    rmSync(file, { force: true });
    rmSync(db, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
