// The virtual cards must stand on their own (issue 16, "Independent virtual cards"): a card that borrowed
// the reader's constants, file maps, TLV layouts, text codecs or key derivations would repeat the reader's
// mistakes, and the tests could not see them. drivers/sim/** may import from daemon/ only:
//   - daemon/crypto/**        generic primitives, each tested against published vectors (AES, 3DES, CMAC,
//                             retail MAC, ISO padding, hashing, EC helpers of the ICAO primitives)
//   - daemon/errors.ts        the typed error and its stable codes
//   - daemon/cli/command.ts   the CLI I/O types (type-only imports)
//   - daemon/images/png.ts    the generic PNG writer (pixels → PNG; knows nothing of any document)
// Anything else from daemon/ — daemon/documents/** above all — is a violation, listed file by file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const SIM = join(ROOT, 'drivers', 'sim');

export interface ImportSite {
  /** The importing file, relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the repository root (null when it is a package, not a path). */
  target: string | null;
  typeOnly: boolean;
}

// Static imports and re-exports (`import … from '…'`, `export … from '…'`, `import '…'`), dynamic
// `import('…')` and `require('…')`. Multi-line import lists are matched because `[^;]*?` crosses lines.
const PATTERNS: { re: RegExp; typeOnly: (m: RegExpExecArray) => boolean }[] = [
  { re: /\b(import|export)\s+(type\s+)?[^;'"]*?\sfrom\s+['"]([^'"]+)['"]/g, typeOnly: (m) => m[2] !== undefined },
  { re: /\bimport\s+['"]([^'"]+)['"]/g, typeOnly: () => false },
  { re: /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g, typeOnly: () => false },
];

export function importsOf(file: string, source: string): ImportSite[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"])\/\/[^\n]*/g, (c, p: string) => p + ' '.repeat(c.length - p.length));
  const out: ImportSite[] = [];
  for (const { re, typeOnly } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      const specifier = m[m.length - 1]!;
      const target = specifier.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), specifier)).split(sep).join('/') : null;
      out.push({ file, line: code.slice(0, m.index).split('\n').length, specifier, target, typeOnly: typeOnly(m) });
    }
  }
  return out;
}

/** Why an import from drivers/sim crosses the boundary, or null when it is allowed. */
export function violation(site: ImportSite): string | null {
  const t = site.target;
  if (t === null || !t.startsWith('daemon/')) return null;
  if (t.startsWith('daemon/documents/')) return 'document-layer code (daemon/documents/**)';
  if (t.startsWith('daemon/crypto/') || t === 'daemon/errors.ts' || t === 'daemon/images/png.ts') return null;
  if (t === 'daemon/cli/command.ts') return site.typeOnly ? null : 'daemon/cli/command.ts may only be imported for its types (import type)';
  return `daemon code outside the allowed primitives (${t})`;
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

describe('import boundary of the virtual cards (drivers/sim/**)', () => {
  it('the scanner sees every import form and classifies it (so the boundary check below can fail)', () => {
    const src = [
      "import { a } from '../../../daemon/documents/passport/tlv.ts';",
      'import {',
      '  b,',
      "} from '../../../daemon/documents/license/constants.ts';",
      "export { c } from '../../../daemon/documents/residence/tlv.ts';",
      "import type { CliIO } from '../../../daemon/cli/command.ts';",
      "import { processIO } from '../../../daemon/cli/command.ts';",
      "const d = await import('../../../daemon/trust/chain.ts');",
      "import { aesCmac } from '../../../daemon/crypto/aes-cmac.ts';",
      "import { ErrorCodes } from '../../../daemon/errors.ts';",
      "// import { x } from '../../../daemon/documents/commented-out.ts';",
      "import { createHash } from 'node:crypto';",
    ].join('\n');
    const found = importsOf('drivers/sim/x/card.ts', src).map((s) => ({ line: s.line, target: s.target, why: violation(s) }));
    const bad = found.filter((f) => f.why !== null).sort((x, y) => x.line - y.line);
    expect(bad.map((b) => [b.line, b.target])).toEqual([
      [1, 'daemon/documents/passport/tlv.ts'],
      [2, 'daemon/documents/license/constants.ts'],
      [5, 'daemon/documents/residence/tlv.ts'],
      [7, 'daemon/cli/command.ts'],
      [8, 'daemon/trust/chain.ts'],
    ]);
    expect(found.find((f) => f.target === 'daemon/documents/commented-out.ts')).toBeUndefined();
    expect(found.filter((f) => f.why === null).map((f) => f.target)).toEqual(
      expect.arrayContaining(['daemon/cli/command.ts', 'daemon/crypto/aes-cmac.ts', 'daemon/errors.ts', null]),
    );
  });

  it('no file under drivers/sim imports document-layer or other daemon code', () => {
    const files = sourcesUnder(SIM);
    expect(files.length).toBeGreaterThan(20); // the scan found the emulators
    const violations: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f).split(sep).join('/');
      for (const site of importsOf(rel, readFileSync(f, 'utf8'))) {
        const why = violation(site);
        if (why) violations.push(`${site.file}:${site.line} imports ${site.specifier} — ${why}`);
      }
    }
    // One line per offending import, so the failure message is the to-do list.
    expect(violations.join('\n')).toBe('');
  });
});
