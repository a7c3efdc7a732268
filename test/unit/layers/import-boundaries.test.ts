// Layers that hold (issue 22), checked on every unit run. The project stands on four layers:
//   core/      the typed error and its codes, generic crypto primitives, the PNG writer, CLI I/O types;
//   drivers/   hardware behind interfaces, and the virtual cards (drivers/sim/);
//   daemon/    the kiosk: documents, trust, the session machine, servers;
//   test/      tests and their harness.
// An import may only point down or sideways within its layer, and a few inner boundaries hold too:
//   - core/ imports nothing of the project outside core/;
//   - drivers/ never import daemon/ (errors and primitives come from core/) — the virtual cards therefore
//     cannot borrow the reader's constants, TLV layouts or key derivations (issue 16) and repeat its mistakes;
//   - daemon/ never imports test/; daemon/demo/ and startKiosk take the virtual cards through the
//     VirtualCardSource interface (the card-emulator set drivers/sim/demo/ is handed in by the caller);
//   - daemon/kiosk/ never imports a document module (daemon/documents/<document>/): it knows documents only
//     through the DocumentResult contract and the document registry, so adding a document touches no file there.
// Each violation is listed file by file, so the failure message is the to-do list.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ImportSite {
  /** The importing file, relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the repository root (null when it is a package, not a path). */
  target: string | null;
}

// Static imports and re-exports (`import … from '…'`, `export … from '…'`, `import '…'`), dynamic
// `import('…')` and `require('…')`. Multi-line import lists are matched because `[^;]*?` crosses lines.
const PATTERNS: RegExp[] = [
  /\b(?:import|export)\s+(?:type\s+)?[^;'"]*?\sfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
  /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export function importsOf(file: string, source: string): ImportSite[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"])\/\/[^\n]*/g, (c, p: string) => p + ' '.repeat(c.length - p.length));
  const out: ImportSite[] = [];
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      const specifier = m[1] ?? '';
      const target = specifier.startsWith('.')
        ? relative(ROOT, resolve(dirname(join(ROOT, file)), specifier))
            .split(sep)
            .join('/')
        : null;
      out.push({ file, line: code.slice(0, m.index).split('\n').length, specifier, target });
    }
  }
  return out;
}

interface Rule {
  /** Files the rule applies to (path prefix). */
  from: string;
  /** Forbidden targets. */
  forbids: (target: string) => boolean;
  why: string;
}

const under =
  (...prefixes: string[]) =>
  (t: string) =>
    prefixes.some((p) => t.startsWith(p));

export const RULES: Rule[] = [
  { from: 'core/', forbids: (t) => !t.startsWith('core/'), why: 'core/ is the bottom layer' },
  { from: 'drivers/', forbids: under('daemon/', 'test/', 'provisioning/', 'fleet/'), why: 'drivers stand on core/ only' },
  { from: 'daemon/', forbids: under('test/'), why: 'the daemon never imports test code' },
  {
    from: 'daemon/demo/',
    forbids: (t) => t.startsWith('drivers/sim/') && t !== 'drivers/sim/virtual-card.ts',
    why: 'the demo takes its virtual cards through VirtualCardSource (the composition root fills it), never from the emulators',
  },
  { from: 'daemon/app.ts', forbids: under('drivers/sim/'), why: 'startKiosk takes virtual cards through VirtualCardSource' },
  {
    from: 'daemon/kiosk/',
    forbids: (t) => /^daemon\/documents\/[^/]+\//.test(t),
    why: 'the session machine knows documents only through the DocumentResult contract and the registry',
  },
];

/** Why an import crosses a boundary, or null when it is allowed. */
export function violation(site: ImportSite): string | null {
  const t = site.target;
  if (t === null) return null;
  for (const r of RULES) if (site.file.startsWith(r.from) && r.forbids(t)) return `${r.why} (${t})`;
  return null;
}

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('import boundaries between core/, drivers/, daemon/ and test/', () => {
  it('the scanner sees every import form and classifies it (so the boundary check below can fail)', () => {
    const sim = [
      "import { a } from '../../../daemon/documents/passport/tlv.ts';",
      'import {',
      '  b,',
      "} from '../../../daemon/documents/license/constants.ts';",
      "export { c } from '../../../daemon/documents/residence/tlv.ts';",
      "import type { CliIO } from '../../../daemon/cli/command.ts';",
      "const d = await import('../../../daemon/trust/chain.ts');",
      "import { aesCmac } from '../../../core/crypto/aes-cmac.ts';",
      "import { ErrorCodes } from '../../../core/errors.ts';",
      "// import { x } from '../../../daemon/documents/commented-out.ts';",
      "import { createHash } from 'node:crypto';",
    ].join('\n');
    const found = importsOf('drivers/sim/x/card.ts', sim).map((s) => ({ line: s.line, target: s.target, why: violation(s) }));
    expect(
      found
        .filter((f) => f.why !== null)
        .map((b) => [b.line, b.target])
        .sort((x, y) => Number(x[0]) - Number(y[0])),
    ).toEqual([
      [1, 'daemon/documents/passport/tlv.ts'],
      [2, 'daemon/documents/license/constants.ts'],
      [5, 'daemon/documents/residence/tlv.ts'],
      [6, 'daemon/cli/command.ts'],
      [7, 'daemon/trust/chain.ts'],
    ]);
    expect(found.find((f) => f.target === 'daemon/documents/commented-out.ts')).toBeUndefined();
    expect(found.filter((f) => f.why === null).map((f) => f.target)).toEqual(expect.arrayContaining(['core/crypto/aes-cmac.ts', 'core/errors.ts', null]));

    const kiosk = [
      "import type { ResultView } from '../result/document-result.ts';",
      "import { isPrintedNumber } from '../documents/secrets.ts';",
      "import type { LicenseHolderView } from '../documents/license/license-view.ts';",
      "import { harness } from '../../test/harness/x.ts';",
    ].join('\n');
    expect(
      importsOf('daemon/kiosk/x.ts', kiosk)
        .filter((s) => violation(s) !== null)
        .map((s) => s.target),
    ).toEqual(['daemon/documents/license/license-view.ts', 'test/harness/x.ts']);
    expect(
      importsOf(
        'daemon/demo/x.ts',
        "import { DemoCardSet } from '../../drivers/sim/demo/demo-card-set.ts';\nimport type { VirtualCard } from '../../drivers/sim/virtual-card.ts';",
      ).map(violation),
    ).toEqual([expect.stringContaining('VirtualCardSource'), null]);
    expect(importsOf('core/x.ts', "import { log } from '../daemon/log.ts';").map(violation)).toEqual([expect.stringContaining('bottom layer')]);
  });

  it('no file under core/, drivers/ or daemon/ imports across a boundary', () => {
    const files = ['core', 'drivers', 'daemon'].flatMap((d) => sourcesUnder(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(300); // the scan found the sources
    const violations: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f).split(sep).join('/');
      for (const site of importsOf(rel, readFileSync(f, 'utf8'))) {
        const why = violation(site);
        if (why) violations.push(`${site.file}:${site.line} imports ${site.specifier} — ${why}`);
      }
    }
    expect(violations.join('\n')).toBe('');
  });
});
