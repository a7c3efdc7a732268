// The Debian package lists of scripts/install-deps.sh (RUNTIME_DEBS, BUILD_DEBS, TEST_DEBS), read the way
// scripts/package.sh reads them for the package's Depends:.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Package names in a bash array `NAME=( … )` of install-deps.sh, comments dropped. */
export function debArray(name: string): string[] {
  const text = readFileSync(join(ROOT, 'scripts', 'install-deps.sh'), 'utf8');
  const m = new RegExp(`^${name}=\\(\\n([\\s\\S]*?)^\\)`, 'm').exec(text);
  if (!m) throw new Error(`${name} not found in install-deps.sh`);
  return m[1]!
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .flatMap((l) => l.split(/\s+/))
    .filter(Boolean);
}
