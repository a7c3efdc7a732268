// The runtime package list in scripts/install-deps.sh is what a kiosk (and `install-deps.sh --runtime`)
// gets. A font or the browser missing from it passed CI once only because a developer machine still had
// them; these assertions make the list itself carry what the kiosk screen needs.
import { describe, expect, it } from 'vitest';
import { debArray } from './install-deps-lists.ts';

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

  it('the image decoders the screen needs for chip photos, and their sandbox, are runtime packages', () => {
    expect(runtime).toEqual(expect.arrayContaining(['pcscd', 'libopenjp2-tools', 'netpbm', 'bubblewrap']));
  });

  it('build tools are not runtime packages (a kiosk installed from the .deb compiles nothing)', () => {
    expect(runtime.filter((p) => ['build-essential', 'python3', 'libpcsclite-dev'].includes(p))).toEqual([]);
    expect(debArray('BUILD_DEBS')).toEqual(expect.arrayContaining(['build-essential', 'libpcsclite-dev']));
  });
});
