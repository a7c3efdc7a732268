// The runtime package list in scripts/install-deps.sh is what a kiosk (and `install-deps.sh --runtime`)
// gets. A font or the browser missing from it passed CI once only because a developer machine still had
// them; these assertions make the list itself carry what the kiosk screen needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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

describe('install-deps.sh runtime packages', () => {
  const runtime = debArray('RUNTIME_DEBS');
  const test = debArray('TEST_DEBS');

  it('the kiosk screen: cage and chromium are runtime packages, not test-only', () => {
    expect(runtime).toEqual(expect.arrayContaining(['cage', 'chromium']));
    expect(test).not.toContain('chromium');
  });

  it('a font for every UI language: Japanese (IPA Gothic, IPAmj Mincho), CJK and the Noto core set', () => {
    // Debian package names (bookworm and trixie): fonts-noto-cjk carries Simplified Chinese and Korean
    // (Noto Sans CJK); fonts-noto-core carries Latin with Vietnamese marks and Noto Sans Devanagari (Nepali).
    expect(runtime).toEqual(expect.arrayContaining(['fonts-ipafont-gothic', 'fonts-ipamj-mincho', 'fonts-noto-cjk', 'fonts-noto-core']));
  });

  it('the image decoders the screen needs for chip photos are runtime packages', () => {
    expect(runtime).toEqual(expect.arrayContaining(['pcscd', 'libopenjp2-tools', 'netpbm']));
  });
});
