// scripts/fresh-machine/tofu.mjs decides whether the fresh machine's idle screen has characters no
// installed font can draw. It must pass Japanese text this machine's fonts cover and fail on a character
// no font has (a plane-16 private-use code point), and on a page that is not the screen at all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const hasFontconfig = spawnSync('fc-list', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'idkiosk-tofu-'));
function check(html: string) {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(f, html);
  return spawnSync(process.execPath, [join(ROOT, 'scripts/fresh-machine/tofu.mjs'), f], { encoding: 'utf8' });
}

describe.skipIf(!hasFontconfig)('fresh-machine tofu check', () => {
  const screen = '<body><h1>マイナンバーカードを置いてください</h1><p>本人確認 Place your card</p><script>var x="\u{10FFFD}"</script></body>';

  it('passes Japanese text the installed fonts cover (script contents are not screen text)', () => {
    const r = check(screen);
    expect(r.stdout).toMatch(/^no tofu/);
    expect(r.status).toBe(0);
  });

  it('fails on a character no font has, naming it', () => {
    const r = check(screen.replace('</h1>', '&#x10FFFD;</h1>'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/TOFU: 1 characters .*U\+10FFFD/);
  });

  it('a page without Japanese text is not the idle screen yet: exit 2, which smoke.sh dumps again', () => {
    const r = check('<body>Error: connection refused</body>');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/not the idle screen/);
  });
});
