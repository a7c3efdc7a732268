// CRL parse + verify, two checkouts side by side (issue 20): the in-process row of bench/crl.bench.ts for
// code before and after a change, in one process, alternating A B floor openssl, A B floor openssl, …, so that
// both see the same machine load. On a shared machine a before/after figure from two separate bench runs
// mostly measures the load; ratios within one run are what counts.
//   git archive <rev> core daemon package.json | tar -x -C /tmp/a     (package.json: the code is ESM)
//   npx tsx bench/crl-ab.ts [--entries 5000000] [--runs 7] /tmp/a .
// Each round: readCrl of the same generated CRL (RSA-2048/SHA-256, test/harness/crl-generate.ts) by each
// checkout, the in-process floor (read + SHA-256 of the file, no parse), and `openssl dgst -sha256` (the
// issue's reference) under GNU time; one uncounted warm-up round first. Prints medians (min–max) of CPU
// (user+sys, all threads) and wall.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { makeCa } from '../test/harness/crl-fixtures.ts';
import { generateCrl } from '../test/harness/crl-generate.ts';
import type { readCrl as ReadCrl } from '../daemon/trust/crl/crl-reader.ts';
import type { parseCrlIssuer as ParseCrlIssuer } from '../daemon/trust/crl/cert-info.ts';
import { stat } from './table.ts';

const { values, positionals } = parseArgs({
  options: { entries: { type: 'string', default: '5000000' }, runs: { type: 'string', default: '7' } },
  allowPositionals: true,
});
const entries = Number(values.entries);
const runs = Number(values.runs);
if (positionals.length === 0 || !Number.isInteger(entries) || entries < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: npx tsx bench/crl-ab.ts [--entries N] [--runs N] CHECKOUT…');
  process.exit(2);
}

interface Side {
  name: string;
  readCrl: typeof ReadCrl;
  parseCrlIssuer: typeof ParseCrlIssuer;
}
const sides: Side[] = [];
for (const dir of positionals) {
  // without a package.json saying "type": "module", tsx compiles the checkout as CommonJS, whose
  // getter-based imports make the entry loop several times slower: a figure of the loader, not the code
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`${dir}: no package.json (copy it with the code)`);
  const url = (p: string) => pathToFileURL(resolve(dir, p)).href;
  const reader = (await import(url('daemon/trust/crl/crl-reader.ts'))) as { readCrl: typeof ReadCrl };
  const info = (await import(url('daemon/trust/crl/cert-info.ts'))) as { parseCrlIssuer: typeof ParseCrlIssuer };
  sides.push({ name: dir, readCrl: reader.readCrl, parseCrlIssuer: info.parseCrlIssuer });
}

/** The floor in process: the file read in the reader's chunk size and hashed, nothing parsed. */
function readAndHash(file: string): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(512 * 1024);
  const h = createHash('sha256');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  h.digest();
}

/** CPU (user+sys, every thread) and wall seconds of f. */
function timed(f: () => void): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e6, (performance.now() - t0) / 1000];
}

const work = mkdtempSync(join(process.env.CRL_BENCH_DIR ?? tmpdir(), 'idkiosk-crl-ab-'));
try {
  const ca = makeCa({ cn: 'Bench CRL CA' });
  const file = join(work, 'crl.der');
  const { bytes } = generateCrl({
    out: file,
    entries,
    issuer: ca.name,
    signer: ca.signer,
    thisUpdate: new Date(Date.now() - 3600_000),
    nextUpdate: new Date(Date.now() + 7 * 86400_000),
    crlNumber: entries,
  });
  const rows = [...sides.map((s) => s.name), 'floor: read + SHA-256 in process', 'openssl dgst -sha256'];
  const cpu = new Map<string, number[]>(rows.map((r) => [r, []]));
  const wall = new Map<string, number[]>(rows.map((r) => [r, []]));
  let counting = false;
  const add = (row: string, [c, w]: [number, number]) => {
    if (!counting) return;
    cpu.get(row)?.push(c);
    wall.get(row)?.push(w);
  };
  // round 0 is a warm-up (V8 compiles the entry loop while it runs), not counted
  for (let i = 0; i <= runs; i++) {
    for (const s of sides) {
      const issuer = s.parseCrlIssuer(ca.cert);
      add(
        s.name,
        timed(() => {
          if (s.readCrl(file, { issuer, onEntry: () => {} }).entries !== entries) throw new Error(`${s.name}: wrong entry count`);
        }),
      );
    }
    add(
      'floor: read + SHA-256 in process',
      timed(() => readAndHash(file)),
    );
    const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %U %S', 'openssl', 'dgst', '-sha256', file], { encoding: 'utf8' });
    const m = /__TIME__ ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`openssl dgst failed: ${r.stderr}`);
    add('openssl dgst -sha256', [Number(m[2]) + Number(m[3]), Number(m[1])]);
    counting = true;
  }
  const ref = stat(cpu.get('openssl dgst -sha256') ?? [], 's');
  const refWall = stat(wall.get('openssl dgst -sha256') ?? [], 's');
  const f = (x: { median: number; min: number; max: number }) => `${x.median.toFixed(3)} s (${x.min.toFixed(3)}–${x.max.toFixed(3)})`;
  console.log(`${entries} entries (${(bytes / 1e6).toFixed(0)} MB), ${runs} rounds, load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  console.log('| what | CPU median (min–max) | CPU ÷ openssl | wall median (min–max) | wall ÷ openssl |');
  console.log('|---|---|---:|---|---:|');
  for (const row of rows) {
    const c = stat(cpu.get(row) ?? [], 's');
    const w = stat(wall.get(row) ?? [], 's');
    console.log(`| ${row} | ${f(c)} | ${(c.median / ref.median).toFixed(2)}× | ${f(w)} | ${(w.median / refWall.median).toFixed(2)}× |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
