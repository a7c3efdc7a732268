// `npm run bench:crl`: CRLs of 100k, 1M and 5M entries (RSA-2048/SHA-256, 16-byte serials, 3 in 4 with
// a reason code), each measured in one run: `openssl crl -inform DER -noout` vs idkiosk parse+verify
// (wall time, peak RSS, ratio), full import time and RSS, database size, lookup latency (100k lookups).
// Peak RSS is the child's max RSS from GNU time (`time` Debian package).
// idkiosk is measured as shipped: the production bundle (`npm run build`, made here first) on plain node —
// the full import is `node dist/idkiosk.mjs crl import … --json`, timed from outside (process start-up
// included); parse+verify alone has no command, so its child is bundled by the same recipe.
// CRL_BENCH_SIZES=100000,1000000 overrides the sizes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readlinkSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { buildProduct, bundle, BUNDLE, ROOT } from '../scripts/build.ts';
import { makeCa } from '../test/harness/crl-fixtures.ts';
import { generateCrl } from '../test/harness/crl-generate.ts';
import { CrlStore } from '../daemon/trust/crl/store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = (process.env.CRL_BENCH_SIZES ?? '100000,1000000,5000000').split(',').map(Number);
const work = mkdtempSync(join(process.env.CRL_BENCH_DIR ?? tmpdir(), 'idkiosk-crl-bench-'));

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
  const built = await buildProduct();
  console.log(`built ${BUNDLE} (${built.ms} ms)`);
  const verifyChild = join(ROOT, 'dist', 'bench', 'crl-verify-child.mjs');
  await bundle(join(here, 'crl-verify-child.ts'), verifyChild);
  // what every `idkiosk crl …` pays before any work (it is included in the import figures below)
  const startup = timed(process.execPath, [BUNDLE, 'crl', 'status', '--db', join(work, 'empty'), '--json']);
  console.log(`CLI start-up (crl status, empty store): wall ${f(startup.wall)} s, peak RSS ${f(startup.rssMB, 1)} MB`);
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
    const plain = timed(process.execPath, [verifyChild, file, caPem]);
    const plainIn = JSON.parse(plain.stdout) as { ms: number; entries: number };
    if (plainIn.entries !== n) throw new Error(`parsed ${plainIn.entries} entries, expected ${n}`);
    const db = join(work, `db-${n}`);
    const imp = timed(process.execPath, [BUNDLE, 'crl', 'import', file, '--issuer', caPem, '--db', db, '--json']);
    const impOut = JSON.parse(imp.stdout) as { revokedInForce: number };
    if (impOut.revokedInForce !== n) throw new Error(`imported ${impOut.revokedInForce} entries, expected ${n}`);
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
        `\n== ${n.toLocaleString('en')} entries, ${f(bytes / 1e6, 1)} MB (generated in ${f(genS)} s; load average ${loadavg().map((x) => f(x)).join(' ')} on ${cpus().length} CPUs)`,
        `openssl crl -noout            wall ${f(ossl.wall)} s   peak RSS ${f(ossl.rssMB, 1)} MB`,
        `idkiosk parse+verify          wall ${f(plainIn.ms / 1000, 3)} s  peak RSS ${f(plain.rssMB, 1)} MB   → ${f(ratio, 1)}× faster, ${f(ossl.rssMB / plain.rssMB, 1)}× less memory   (process incl. start-up ${f(plain.wall)} s)`,
        `idkiosk crl import (full)     wall ${f(imp.wall)} s = ${f(imp.wall / (n / 1e6))} s per million   peak RSS ${f(imp.rssMB, 1)} MB   database ${f(dbMB, 1)} MB`,
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
