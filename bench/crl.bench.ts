// CRL store benchmark (issue 20), against the reference tools in the same run, interleaved (A B A B …):
//   idkiosk crl import FILE (whole command, fresh store)  vs  openssl crl -inform DER -noout   ≤ 0.5× at 1M, ≤ 0.25× at 5M
//   peak RSS of both (GNU time %M)                                                         idkiosk ≤ 128 MB
//   parse + verify in process (readCrl)                    vs  openssl dgst -sha256 (floor)   ≤ 2×
//   lookup in process (5M store, 100k lookups, half hits)                                   median ≤ 10 µs
//   delta CRL of 10k entries applied in process on the 5M store                             ≤ 0.5 s
//   CLI start-up (idkiosk crl status, empty store) — included in the import figures, shown apart
// CRLs are generated (test/harness/crl-generate.ts: RSA-2048/SHA-256, 16-byte serials, 3 in 4 with a
// reason code). The commands run the production bundle (`node dist/idkiosk.mjs`), built first.
// Alone: npx tsx bench/crl.bench.ts [--runs N] [--quick]   (--quick: 1M only, no delta row)
// CRL_BENCH_SIZES=100000,1000000 sets the sizes (≥ 100000 for the delta row); the delta runs on the largest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ratioOf, stat, printTable, type BenchRow, type Kind, type Stat } from './table.ts';
import { BUNDLE, ensureBundle } from './kiosk-fixture.ts';
import { makeCa } from '../test/harness/crl-fixtures.ts';
import { generateCrl } from '../test/harness/crl-generate.ts';
import { buildCrl } from '../core/der-build.ts';
import { CrlStore } from '../daemon/trust/crl/store.ts';
import { readCrl } from '../daemon/trust/crl/crl-reader.ts';
import { parseCrlIssuer } from '../daemon/trust/crl/cert-info.ts';

interface Timed {
  wallS: number;
  /** user + system CPU seconds (10 ms resolution) */
  cpuS: number;
  rssMB: number;
  stdout: string;
}

/** One command under GNU time (the `time` Debian package): wall seconds, peak RSS, stdout. */
function timed(cmd: string, args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return { wallS: Number(m[1]), cpuS: Number(m[3]) + Number(m[4]), rssMB: Number(m[2]) / 1024, stdout: r.stdout };
}

function compared(kind: Kind, what: string, mine: Stat, refName: string, ref: Stat, maxRatio: number, note?: string): BenchRow {
  const ratio = ratioOf(mine, ref);
  return {
    group: 'crl',
    kind,
    what,
    idkiosk: mine,
    reference: { name: refName, stat: ref },
    ratio,
    target: `≤ ${maxRatio}× ${refName}`,
    met: ratio === undefined ? undefined : ratio <= maxRatio,
    note,
  };
}

const M = (n: number) => `${n / 1e6}M`;

export async function run(o: { runs: number; quick?: boolean }): Promise<BenchRow[]> {
  await ensureBundle();
  const work = mkdtempSync(join(process.env.CRL_BENCH_DIR ?? tmpdir(), 'idkiosk-crl-bench-'));
  const rows: BenchRow[] = [];
  try {
    const ca = makeCa({ cn: 'Bench CRL CA' });
    const caPem = join(work, 'ca.pem');
    writeFileSync(caPem, ca.cert.toString());
    const issuer = parseCrlIssuer(ca.cert);

    const startup: number[] = [];
    for (let i = 0; i < o.runs; i++) startup.push(timed(process.execPath, [BUNDLE, 'crl', 'status', '--db', join(work, 'empty'), '--json']).wallS);
    rows.push({
      group: 'crl',
      kind: 'start-up',
      what: 'CLI start-up: idkiosk crl status, empty store (part of every import below)',
      idkiosk: stat(startup, 's'),
    });

    const sizes = process.env.CRL_BENCH_SIZES ? process.env.CRL_BENCH_SIZES.split(',').map(Number) : o.quick ? [1_000_000] : [1_000_000, 5_000_000];
    if (sizes.some((n) => !Number.isInteger(n) || n < 100_000)) throw new Error('CRL_BENCH_SIZES: integers ≥ 100000, comma-separated');
    const largest = Math.max(...sizes);
    // the targets are stated at 1M (≤ 0.5×) and 5M (≤ 0.25×); other sizes are shown without one
    const importTarget = (n: number) => (n === 5_000_000 ? 0.25 : n === 1_000_000 ? 0.5 : undefined);
    for (const n of sizes) {
      const file = join(work, `crl-${n}.der`);
      const known: Buffer[] = [];
      const every = Math.max(1, Math.floor(n / 50_000));
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

      // whole commands, interleaved; every idkiosk run imports into a fresh store
      const imp: Timed[] = [];
      const ossl: Timed[] = [];
      let db = '';
      for (let i = 0; i < o.runs; i++) {
        if (db) rmSync(db, { recursive: true, force: true });
        db = join(work, `db-${n}-${i}`);
        const t = timed(process.execPath, [BUNDLE, 'crl', 'import', file, '--issuer', caPem, '--db', db, '--json']);
        const out = JSON.parse(t.stdout) as { revokedInForce: number };
        if (out.revokedInForce !== n) throw new Error(`imported ${out.revokedInForce} entries, expected ${n}`);
        imp.push(t);
        ossl.push(timed('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout']));
      }
      const store = new CrlStore(db, { recheckMs: 1000 });
      const st = store.status()[0]!;
      const dbMB = statSync(join(db, 'issuers', st.issuerId, st.generation)).size / 1e6;
      const impStat = stat(
        imp.map((t) => t.wallS),
        's',
      );
      const osslStat = stat(
        ossl.map((t) => t.wallS),
        's',
      );
      const maxRatio = importTarget(n);
      const wall: BenchRow = maxRatio
        ? compared(
            'whole command',
            `crl import ${M(n)} entries (${(bytes / 1e6).toFixed(0)} MB), fresh store`,
            impStat,
            'openssl crl -inform DER -noout',
            osslStat,
            maxRatio,
            `incl. start-up and fsync; store file ${dbMB.toFixed(0)} MB`,
          )
        : {
            group: 'crl',
            kind: 'whole command',
            what: `crl import ${M(n)} entries (${(bytes / 1e6).toFixed(0)} MB), fresh store`,
            idkiosk: impStat,
            reference: { name: 'openssl crl -inform DER -noout', stat: osslStat },
            ratio: ratioOf(impStat, osslStat),
            note: `no target at this size; store file ${dbMB.toFixed(0)} MB`,
          };
      // CPU as well as wall: on a loaded machine wall time mostly measures the wait for a core
      const impCpu = stat(
        imp.map((t) => t.cpuS),
        's',
      );
      const osslCpu = stat(
        ossl.map((t) => t.cpuS),
        's',
      );
      const cpuRatio = ratioOf(impCpu, osslCpu);
      rows.push({
        group: 'crl',
        kind: 'whole command',
        what: `crl import ${M(n)}: user+sys CPU`,
        idkiosk: impCpu,
        reference: { name: 'openssl crl -inform DER -noout', stat: osslCpu },
        ratio: cpuRatio,
        target: maxRatio ? `≤ ${maxRatio}× (the wall target, applied to CPU)` : undefined,
        met: maxRatio && cpuRatio !== undefined ? cpuRatio <= maxRatio : undefined,
        note: 'GNU time %U+%S',
      });
      const rssMine = stat(
        imp.map((t) => t.rssMB),
        'MB',
      );
      rows.push(wall, {
        group: 'crl',
        kind: 'whole command',
        what: `crl import ${M(n)}: peak RSS`,
        idkiosk: rssMine,
        reference: {
          name: 'openssl crl -noout',
          stat: stat(
            ossl.map((t) => t.rssMB),
            'MB',
          ),
        },
        ratio: ratioOf(
          rssMine,
          stat(
            ossl.map((t) => t.rssMB),
            'MB',
          ),
        ),
        target: '≤ 128 MB',
        met: rssMine.max <= 128,
        note: 'GNU time %M',
      });

      // parse + verify in this process vs the hashing floor, interleaved
      const pv: number[] = [];
      const pvCpu: number[] = [];
      const dg: number[] = [];
      const dgCpu: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = readCrl(file, { issuer, onEntry: () => {} });
        const c = process.cpuUsage(c0);
        pv.push((performance.now() - t0) / 1000);
        pvCpu.push((c.user + c.system) / 1e6);
        if (r.entries !== n) throw new Error(`parsed ${r.entries} entries, expected ${n}`);
        const d = timed('openssl', ['dgst', '-sha256', file]);
        dg.push(d.wallS);
        dgCpu.push(d.cpuS);
      }
      rows.push(
        compared(
          'in process',
          `parse + verify ${M(n)}, in process: user+sys CPU`,
          stat(pvCpu, 's'),
          'openssl dgst -sha256',
          stat(dgCpu, 's'),
          2,
          'process.cpuUsage (all threads) vs GNU time %U+%S of the whole openssl process',
        ),
      );
      rows.push(
        compared(
          'in process',
          `parse + verify ${M(n)}, in process (wall)`,
          stat(pv, 's'),
          'openssl dgst -sha256',
          stat(dg, 's'),
          2,
          'reference: one hash of the file, whole process',
        ),
      );

      // lookups: 100k per run, half listed serials, half random ones that are not
      const probes: Buffer[] = [];
      for (let i = 0; i < 100_000; i++) probes.push(i % 2 ? known[i % known.length]! : Buffer.concat([Buffer.from([0x01]), randomBytes(15)]));
      for (let i = 0; i < 2000; i++) store.lookup(st.issuerId, probes[i]!); // warm-up
      const medians: number[] = [];
      const lat = new Float64Array(probes.length);
      for (let r = 0; r < o.runs; r++) {
        let hits = 0;
        for (let i = 0; i < probes.length; i++) {
          const t = process.hrtime.bigint();
          if (store.lookup(st.issuerId, probes[i]!)) hits++;
          lat[i] = Number(process.hrtime.bigint() - t) / 1000;
        }
        if (hits !== 50_000) throw new Error(`lookup hits ${hits}, expected 50000`);
        lat.sort();
        medians.push(lat[lat.length >> 1]!);
      }
      const p99 = lat[Math.floor(lat.length * 0.99)]!;
      const med = stat(medians, 'µs');
      rows.push({
        group: 'crl',
        kind: 'in process',
        what: `lookup, ${M(n)} store, in process (median of 100k)`,
        idkiosk: med,
        target: '≤ 10 µs',
        met: med.median <= 10,
        note: `p99 ${p99.toFixed(1)} µs (last run)`,
      });

      if (n === largest && (n >= 5_000_000 || process.env.CRL_BENCH_SIZES)) {
        // deltas of 10k entries (9k new serials, 1k removeFromCRL of listed ones), one per run, numbered upwards
        const times: number[] = [];
        const cpu: number[] = [];
        for (let r = 0; r < o.runs; r++) {
          const entries = Array.from({ length: 10_000 }, (_, i) =>
            i % 10 === 0
              ? { serial: BigInt('0x' + known[(r * 1000 + i / 10) % known.length]!.toString('hex')), reason: 8 }
              : { serial: BigInt('0x01' + randomBytes(15).toString('hex')), reason: 1 },
          );
          const delta = join(work, `delta-${r}.der`);
          writeFileSync(
            delta,
            buildCrl({
              issuer: ca.name,
              signer: ca.signer,
              thisUpdate: new Date(Date.now() - 60_000),
              nextUpdate: new Date(Date.now() + 86400_000),
              crlNumber: n + 1 + r,
              deltaBase: n,
              entries,
            }),
          );
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          const d = store.import(delta, ca.cert);
          times.push((performance.now() - t0) / 1000);
          const c = process.cpuUsage(c0);
          cpu.push((c.user + c.system) / 1e6);
          if (d.kind !== 'delta' || d.added !== 9000 || d.removed !== 1000) throw new Error(`delta: ${JSON.stringify(d)}`);
        }
        const dt = stat(times, 's');
        rows.push({
          group: 'crl',
          kind: 'in process',
          what: `delta CRL, 10k entries, applied on the ${M(n)} store`,
          idkiosk: dt,
          target: n === 5_000_000 ? '≤ 0.5 s' : undefined,
          met: n === 5_000_000 ? dt.median <= 0.5 : undefined,
          note: 'parse, verify, overlay into a delta generation on the untouched base, fsync, swap',
        });
        // on a loaded machine the wall time mostly measures the wait for a core
        rows.push({
          group: 'crl',
          kind: 'in process',
          what: `delta CRL, 10k entries, applied on the ${M(n)} store: user+sys CPU`,
          idkiosk: stat(cpu, 's'),
          note: 'process.cpuUsage (all threads) around the import',
        });
      }
      store.close();
      rmSync(db, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  console.log(printTable(await run({ runs, quick: process.argv.includes('--quick') })));
}
