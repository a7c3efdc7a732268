// `systemd-analyze security` for every shipped service: the exposure score (0 = locked down, 10 = fully
// exposed) is printed for the record and must be ≤ 2.0 (issue 18). The analysis runs offline on the
// unit files themselves, so no systemd as PID 1 is needed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SERVICES = ['idkiosk.service', 'idkiosk-browser.service', 'idkiosk-crl-sync.service'];
const LIMIT = 2.0;

function offlineAnalysisWorks(): boolean {
  const r = spawnSync('systemd-analyze', ['security', '--help'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('--offline');
}
const available = offlineAnalysisWorks();
if (!available) console.warn('systemd-analyze security --offline not available: exposure scores not checked (Debian package "systemd" ≥ 250)');

function exposure(unitFile: string): { score: number; report: string } {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', unitFile], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_LOG_TARGET: 'console' },
  });
  const report = r.stdout + r.stderr;
  const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(report);
  if (!m) throw new Error(`no exposure score in:\n${report}`);
  return { score: Number(m[1]), report };
}

describe.skipIf(!available)('systemd-analyze security exposure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-exposure-'));
  for (const u of SERVICES) {
    it(`${u} ≤ ${LIMIT}`, () => {
      const f = join(dir, u);
      writeFileSync(f, readFileSync(join(ROOT, 'systemd', u)));
      const { score, report } = exposure(f);
      console.log(`exposure ${u}: ${score.toFixed(1)}`);
      expect(score, report).toBeLessThanOrEqual(LIMIT);
    });
  }

  it('the check is not blind: an unhardened copy scores above the limit', () => {
    const f = join(dir, 'bare.service');
    writeFileSync(f, '[Service]\nExecStart=/bin/true\n');
    expect(exposure(f).score).toBeGreaterThan(LIMIT);
  });
});
