// The packaged form: `npm run build` makes dist/idkiosk.mjs, which must run on plain node (no tsx) —
// help, the CRL store through the native better-sqlite3, the daemon serving ui/ and reporting the package
// version (files the bundle finds relative to its modules' source locations). And bin/idkiosk.js must
// only ever pick a bundle that is fresh.
// Loopback TCP (the daemon): run inside scripts/in-testnet.sh like the other integration tests.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProduct, BUNDLE, ROOT } from '../../../scripts/build.ts';
import { bundleChoice, freshBundle } from '../../../bin/fresh-bundle.js';
import { makeCa, writeCaAndCrl } from '../../harness/crl-fixtures.ts';

const d = mkdtempSync(join(tmpdir(), 'idkiosk-bundle-'));
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const run = (args: string[]) => spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('production bundle', () => {
  let built = '';
  beforeAll(async () => {
    const r = await buildProduct();
    expect(r.inputs).toBeGreaterThan(50);
    built = r.dir;
  }, 60_000);

  it('runs on plain node: --help and the CRL store (native addon, import → status → check)', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\s+crl\s/m);
    expect(help.stdout).toMatch(/^\s+daemon\s/m);
    for (const f of readdirSync(join(ROOT, 'dist', built))) {
      if (f.endsWith('.mjs')) expect(readFileSync(join(ROOT, 'dist', built, f), 'utf8')).not.toMatch(/from "tsx|tsx\/esm/);
    }

    const db = join(d, 'crl-db');
    expect(JSON.parse(run(['crl', 'status', '--db', db, '--json']).stdout)).toEqual({ issuers: [] });
    const ca = makeCa({ cn: 'Bundle Test CA' });
    const { caPem, crl } = writeCaAndCrl(d, ca, { crlFile: 'a.crl', crlNumber: 7, entries: [{ serial: 0x0badn, reason: 1 }, { serial: 0x1234n }] });
    const imp = run(['crl', 'import', crl, '--issuer', caPem, '--db', db, '--json']);
    expect(imp.stderr).toBe('');
    expect(JSON.parse(imp.stdout)).toMatchObject({ kind: 'full', revokedInForce: 2 });
    const status = JSON.parse(run(['crl', 'status', '--db', db, '--json']).stdout) as { issuers: { entries: number }[] };
    expect(status.issuers).toHaveLength(1);
    expect(status.issuers[0]).toMatchObject({ entries: 2 });
    const revoked = run(['crl', 'check', '0BAD', '--issuer', caPem, '--db', db, '--json']);
    expect(revoked.status).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: 'revoked' });
    expect(run(['crl', 'check', '0BAE', '--issuer', caPem, '--db', db, '--json']).status).toBe(0);
  }, 60_000);

  it('the daemon from the bundle serves ui/ and reports the package version', async () => {
    const child = spawn(process.execPath, [BUNDLE, 'daemon', '--demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`daemon did not start: ${out}`)), 30_000);
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /screen: (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
        child.on('exit', (c) => reject(new Error(`daemon exited ${c}: ${out}`)));
      });
      const base = new URL(url);
      const health = (await (await fetch(new URL('/healthz', base))).json()) as { version: string };
      expect(health.version).toBe(version);
      const index = await fetch(new URL('/', base));
      expect(index.status).toBe(200);
      expect(await index.text()).toBe(readFileSync(join(ROOT, 'ui', 'index.html'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('bin/idkiosk.js bundle selection (freshBundle)', () => {
  const root = join(d, 'pkg');
  const at = Date.now() - 60_000;
  const setTime = (f: string, ms: number) => utimesSync(join(root, f), ms / 1000, ms / 1000);
  const make = () => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
    mkdirSync(join(root, 'dist', 'bundle-1-1'));
    writeFileSync(join(root, 'dist', 'bundle-1-1', 'idkiosk.mjs'), '\n');
    writeFileSync(join(root, 'dist', 'idkiosk.mjs'), "import './bundle-1-1/idkiosk.mjs';\n");
    writeFileSync(join(root, 'dist', 'idkiosk.build.json'), JSON.stringify({ builtAt: at, inputs: ['src/a.ts'], node: process.version }));
    setTime('src/a.ts', at - 5000);
    setTime('dist/idkiosk.mjs', at + 1000);
  };

  it('picks the bundle only while every source it was built from is older than the build', () => {
    make();
    expect(freshBundle(root)).toBe(join(root, 'dist', 'idkiosk.mjs'));
    setTime('src/a.ts', at + 1); // edited after the build started: may be missing from the bundle
    expect(freshBundle(root)).toBeUndefined();
    make();
    rmSync(join(root, 'src', 'a.ts')); // a source of the bundle is gone
    expect(freshBundle(root)).toBeUndefined();
    make();
    setTime('dist/idkiosk.mjs', at - 1000); // manifest from a newer build than the bundle
    expect(freshBundle(root)).toBeUndefined();
    make();
    rmSync(join(root, 'dist', 'idkiosk.build.json'));
    expect(freshBundle(root)).toBeUndefined();
    make();
    writeFileSync(join(root, 'dist', 'idkiosk.build.json'), '{"builtAt":');
    expect(freshBundle(root)).toBeUndefined();
    make();
    rmSync(join(root, 'dist', 'bundle-1-1'), { recursive: true }); // the build directory the stub imports is gone
    expect(freshBundle(root)).toBeUndefined();
  });

  it('IDKIOSK_FROM_SOURCE=1 always runs the sources', () => {
    make();
    process.env.IDKIOSK_FROM_SOURCE = '1';
    try {
      expect(freshBundle(root)).toBeUndefined();
    } finally {
      delete process.env.IDKIOSK_FROM_SOURCE;
    }
    expect(freshBundle(root)).toBeDefined();
  });

  it('a kiosk never falls back to tsx: an installed package runs its bundle, NODE_ENV=production refuses a stale one', () => {
    make();
    mkdirSync(join(root, 'daemon', 'cli'), { recursive: true });
    writeFileSync(join(root, 'daemon', 'cli', 'main.ts'), 'export {};\n');
    setTime('daemon/cli/main.ts', at - 5000);
    const bundle = join(root, 'dist', 'idkiosk.mjs');
    expect(bundleChoice(root, {})).toEqual({ run: 'bundle', bundle });
    setTime('src/a.ts', at + 1); // stale
    expect(bundleChoice(root, {})).toEqual({ run: 'sources' });
    const refused = bundleChoice(root, { NODE_ENV: 'production' });
    expect(refused.run).toBe('refuse');
    expect(refused).toMatchObject({ reason: expect.stringMatching(/older than the sources.*npm run build/) });
    // installed package: no TypeScript sources — the bundle, whatever its manifest says
    rmSync(join(root, 'daemon'), { recursive: true });
    expect(bundleChoice(root, { NODE_ENV: 'production' })).toEqual({ run: 'bundle', bundle });
    rmSync(bundle);
    expect(bundleChoice(root, {})).toMatchObject({ run: 'refuse', reason: expect.stringMatching(/missing.*reinstall/) });
  });
});
