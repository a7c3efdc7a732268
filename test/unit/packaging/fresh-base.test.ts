// scripts/lib/fresh-base.sh: the cached Debian base that the fresh-machine check and the clean-root test
// check both unpack. Driven through bash with a stand-in mmdebstrap on PATH that records its arguments and
// writes a one-line "tarball", so nothing is downloaded and no root is needed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sandbox(fail = false) {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-fresh-base-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // the output file is mmdebstrap's second-to-last argument (SUITE TARGET MIRROR)
  writeFileSync(join(bin, 'mmdebstrap'), `#!/bin/bash\necho "$*" >> "${dir}/calls"\n${fail ? 'exit 1' : 'shift $(($# - 2)); echo base > "$1"'}\n`);
  chmodSync(join(bin, 'mmdebstrap'), 0o755);
  const cache = join(dir, 'cache');
  const run = (suite: string, arch: string) =>
    spawnSync('bash', ['-euo', 'pipefail', '-c', '. scripts/lib/fresh-base.sh; ensure_base "$1" "$2"; base_tar "$1" "$2"', 'sh', suite, arch], {
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, IDKIOSK_FRESH_CACHE: cache, IDKIOSK_DEBIAN_MIRROR: 'http://mirror.invalid/debian' },
    });
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : []);
  return { cache, run, calls };
}

describe('scripts/lib/fresh-base.sh ensure_base', () => {
  it('builds a missing base once, keeps a fresh one, and rebuilds one older than a week', () => {
    const s = sandbox();
    const base = join(s.cache, 'base-trixie-arm64.tar');
    const first = s.run('trixie', 'arm64');
    expect(first.status).toBe(0);
    expect(first.stdout.trim().split('\n').at(-1)).toBe(base);
    expect(readFileSync(base, 'utf8')).toBe('base\n');
    expect(s.calls()).toEqual([
      `--quiet --arch=arm64 --variant=apt --mode=root --format=tar --include=ca-certificates trixie ${base}.tmp http://mirror.invalid/debian`,
    ]);
    expect(s.run('trixie', 'arm64').status).toBe(0);
    expect(s.calls()).toHaveLength(1);
    const sixDays = (Date.now() - 6 * 86_400_000) / 1000;
    utimesSync(base, sixDays, sixDays);
    expect(s.run('trixie', 'arm64').status).toBe(0);
    expect(s.calls()).toHaveLength(1);
    const nineDays = (Date.now() - 9 * 86_400_000) / 1000;
    utimesSync(base, nineDays, nineDays);
    expect(s.run('trixie', 'arm64').status).toBe(0);
    expect(s.calls()).toHaveLength(2);
  });

  it('a failed mmdebstrap fails the caller and leaves no base behind for the next run to trust', () => {
    const s = sandbox(true);
    const r = s.run('trixie', 'amd64');
    expect(r.status).not.toBe(0);
    expect(existsSync(join(s.cache, 'base-trixie-amd64.tar'))).toBe(false);
  });

  it('both checks take their base from it rather than calling mmdebstrap themselves', () => {
    for (const script of ['scripts/fresh-machine-check.sh', 'scripts/clean-root-test-check.sh']) {
      const text = readFileSync(script, 'utf8');
      expect(text).toContain('. scripts/lib/fresh-base.sh');
      expect(text).toMatch(/^ensure_base "\$SUITE" "\$ARCH"$/m);
      expect(text).not.toMatch(/^\s*mmdebstrap /m);
    }
  });
});
