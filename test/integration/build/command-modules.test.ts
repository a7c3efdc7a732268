// Issue 20: a command loads only the modules it uses. The production bundle is split into chunks so that
// `idkiosk --help` loads no npm package and `idkiosk crl check` loads better-sqlite3 and nothing else
// heavy. Checked two ways, neither by timing: the build's import graph (what the entry can reach without
// a dynamic import), and the packages a real run of the bundle loaded (Node's CommonJS module cache,
// recorded at exit by a preloaded module — every heavy package here is CommonJS underneath).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProduct, BUNDLE, ROOT, type ImportGraph } from '../../../scripts/build.ts';
import { makeCa, writeCaAndCrl } from '../../harness/crl-fixtures.ts';

const HEAVY = ['@peculiar/asn1-x509', 'better-sqlite3', 'qrcode', 'serialport', 'prom-client', 'ws'];
const d = mkdtempSync(join(tmpdir(), 'idkiosk-modules-'));

const RECORDER = join(d, 'record-packages.mjs');
writeFileSync(
  RECORDER,
  `import Module from 'node:module';
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const packages = new Set();
  for (const f of Object.keys(Module._cache)) {
    const m = /[\\\\/]node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/]/.exec(f);
    if (m) packages.add(m[1].replace('\\\\', '/'));
  }
  writeFileSync(process.env.IDKIOSK_RECORD_PACKAGES, JSON.stringify([...packages].sort()));
});
`,
);

/** Run the bundle with the recorder preloaded: exit status, output, and the npm packages it loaded. */
function runRecorded(args: string[]): { status: number | null; stdout: string; stderr: string; packages: string[] } {
  const out = join(d, `packages-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(RECORDER).href, BUNDLE, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, IDKIOSK_RECORD_PACKAGES: out },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages: JSON.parse(readFileSync(out, 'utf8')) as string[] };
}

/** npm packages reachable from `file` through static imports only (what loading it loads). */
function staticPackages(graph: ImportGraph, file: string): string[] {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const node = graph[f];
    if (!node) throw new Error(`${f} is not in the build's import graph`);
    node.packages.forEach((p) => packages.add(p));
    node.static.forEach(visit);
  };
  visit(file);
  return [...packages].sort();
}

describe('a command loads only the modules it uses (chunked production bundle)', () => {
  let graph: ImportGraph;
  beforeAll(async () => {
    const { dir } = await buildProduct();
    graph = JSON.parse(readFileSync(join(ROOT, 'dist', dir, 'meta.json'), 'utf8')) as ImportGraph;
  }, 60_000);

  const chunkOf = (entryPoint: string) => {
    const f = Object.keys(graph).find((k) => graph[k]!.entryPoint === entryPoint);
    if (!f) throw new Error(`no chunk for ${entryPoint}`);
    return f;
  };

  it('the import graph: the entry reaches no npm package; crl reaches better-sqlite3 only; daemon reaches the heavy ones', () => {
    expect(staticPackages(graph, 'idkiosk.mjs')).toEqual([]);
    const crl = staticPackages(graph, chunkOf('daemon/cli/commands/crl.ts'));
    expect(crl).toContain('better-sqlite3');
    expect(crl.filter((p) => HEAVY.includes(p) && p !== 'better-sqlite3')).toEqual([]);
    // the graph walk does see heavy packages where they belong (so the assertions above can fail)
    const daemon = staticPackages(graph, chunkOf('daemon/cli/commands/daemon.ts'));
    expect(daemon).toEqual(expect.arrayContaining(['better-sqlite3', 'ws']));
    // a daemon start does not load what only a serial printer or a printed QR code needs
    expect(daemon.filter((p) => p === 'serialport' || p === 'qrcode')).toEqual([]);
    // nor what loads after READY: the document flows' packages (documents/registry.ts lazyHandler) and
    // prom-client (health/metrics.ts load()), nor OCSP's before the first OCSP check; their own chunks
    // do reach them
    const AFTER_READY = ['@peculiar/asn1-cms', '@peculiar/asn1-rsa', '@peculiar/asn1-ocsp', '@noble/curves', 'prom-client', '@opentelemetry/api'];
    expect(daemon.filter((p) => AFTER_READY.includes(p))).toEqual([]);
    expect(staticPackages(graph, chunkOf('node_modules/prom-client/index.js'))).toContain('prom-client');
    expect(staticPackages(graph, chunkOf('daemon/documents/passport/passport-flow.ts'))).toEqual(
      expect.arrayContaining(['@peculiar/asn1-cms', '@noble/curves']),
    );
    expect(staticPackages(graph, chunkOf('daemon/trust/ocsp/ocsp-message.ts'))).toContain('@peculiar/asn1-ocsp');
  });

  it('idkiosk --help loads no npm package at all', () => {
    const r = runRecorded(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+crl\s/m);
    expect(r.packages).toEqual([]);
  });

  it('idkiosk crl check loads better-sqlite3 and none of the other heavy packages', () => {
    const ca = makeCa({ cn: 'Modules Test CA' });
    const { caPem, crl } = writeCaAndCrl(d, ca, { crlFile: 'a.crl', crlNumber: 1, entries: [{ serial: 0x0badn }] });
    const db = join(d, 'db');
    const imp = spawnSync(process.execPath, [BUNDLE, 'crl', 'import', crl, '--issuer', caPem, '--db', db, '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect(imp.status, imp.stderr).toBe(0);
    const r = runRecorded(['crl', 'check', '0BAD', '--issuer', caPem, '--db', db, '--json']);
    expect(r.status, r.stderr).toBe(1); // revoked: the store really was read
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'revoked' });
    expect(r.packages).toContain('better-sqlite3');
    expect(r.packages.filter((p) => HEAVY.includes(p) && p !== 'better-sqlite3')).toEqual([]);
  });

  it('the recorder sees heavy packages when a command does load them (daemon --help)', () => {
    const r = runRecorded(['daemon', '--help']);
    expect(r.status).toBe(0);
    // prom-client and ws are bundled into the daemon's chunks (scripts/build.ts BUNDLED); the native
    // addon stays in node_modules, where the recorder sees it
    expect(r.packages).toEqual(expect.arrayContaining(['better-sqlite3']));
  });
});
