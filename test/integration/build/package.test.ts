// The Debian package as built by `npm run package` (scripts/package.sh) for this machine's architecture:
// what is in it, what is not, what it depends on, and what lintian says. Built here when missing or older
// than its inputs (about a minute with the npm module cache in dist/package-cache/).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { debArray } from '../../unit/packaging/install-deps-lists.ts';

const ROOT = join(import.meta.dirname, '../../..');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const arch = have('dpkg') ? execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim() : '';
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ELF_MACHINE: Record<string, number> = { amd64: 0x3e, arm64: 0xb7 };
const debFor = (a: string) => join(ROOT, 'dist', `idkiosk_${version}_${a}.deb`);

function newestInput(): number {
  let t = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else t = Math.max(t, st.mtimeMs);
  };
  for (const p of ['packaging', 'scripts/package.sh', 'systemd', 'bin', 'ui', 'core', 'daemon', 'drivers', 'provisioning', 'package.json', 'package-lock.json'])
    walk(join(ROOT, p));
  return t;
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

// This machine's package is built when missing. The arm64 package (cross-built on amd64, minutes) is
// checked the same way when `npm run package` has made it, and skipped otherwise.
const ARCHES = [arch, ...(arch === 'amd64' && existsSync(debFor('arm64')) ? ['arm64'] : [])];
for (const arch of ARCHES)
  describe.skipIf(!have('dpkg-deb') || !ELF_MACHINE[arch])(`the Debian package (${arch})`, () => {
    const DEB = debFor(arch);
    let root = '';
    let control = '';
    beforeAll(() => {
      // Built when missing. A package older than the sources is still checked (its recipe is what this
      // tests) but said so: `npm run package` rebuilds it.
      if (existsSync(DEB) && statSync(DEB).mtimeMs < newestInput()) console.warn(`${DEB} is older than its sources (npm run package rebuilds it)`);
      if (!existsSync(DEB)) {
        execFileSync('bash', [join(ROOT, 'scripts/package.sh'), '--arch', arch], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      }
      root = mkdtempSync(join(tmpdir(), 'idkiosk-deb-'));
      execFileSync('dpkg-deb', ['-x', DEB, root]);
      control = execFileSync('dpkg-deb', ['-f', DEB], { encoding: 'utf8' });
    }, 900_000);

    it('depends on Node.js 20 and on every runtime package install-deps.sh lists', () => {
      const depends = /^Depends: (.*)$/m
        .exec(control)![1]!
        .split(/,\s*/)
        .map((d) => d.split(/\s/)[0]!);
      expect(control).toMatch(/^Depends: .*\bnodejs \(>= 20\)/m);
      const runtime = debArray('RUNTIME_DEBS');
      expect(runtime.filter((p) => !depends.includes(p))).toEqual([]);
      // what the native addons link against, found by dpkg-shlibdeps
      expect(depends).toEqual(expect.arrayContaining(['libc6', 'libpcsclite1']));
      expect(control).toMatch(new RegExp(`^Architecture: ${arch}$`, 'm'));
      expect(control).toMatch(new RegExp(`^Version: ${version.replaceAll('.', '\\.')}$`, 'm'));
    });

    it('ships the bundle, units, users, directories, udev rule and overlays', () => {
      for (const f of [
        'usr/lib/idkiosk/dist/idkiosk.mjs',
        'usr/lib/idkiosk/bin/idkiosk.js',
        'usr/lib/idkiosk/ui/index.html',
        'usr/lib/idkiosk/package.json',
        'usr/lib/idkiosk/systemd/idkiosk-browser.sh',
        'usr/lib/systemd/system/idkiosk.service',
        'usr/lib/systemd/system/idkiosk-browser.service',
        'usr/lib/systemd/system/idkiosk-crl-sync.service',
        'usr/lib/systemd/system/idkiosk-crl-sync.timer',
        'usr/lib/sysusers.d/idkiosk.conf',
        'usr/lib/tmpfiles.d/idkiosk.conf',
        'usr/lib/udev/rules.d/65-idkiosk-keypad.rules',
        'usr/share/polkit-1/rules.d/60-idkiosk-pcscd.rules', // pcscd (trixie) asks polkit; the daemon has no session
        'usr/lib/idkiosk/overlays/idkiosk-keypad-4x4-overlay.dts',
        'usr/share/doc/idkiosk/copyright',
        // the pre-rendered voice prompts (scripts/build-voice.ts) and their licence notice (docs/voice.md)
        'usr/lib/idkiosk/ui/voice.js',
        'usr/lib/idkiosk/ui/voice/ja/idle.ogg',
        'usr/lib/idkiosk/ui/voice/ne/result-verified.ogg',
        'usr/share/doc/idkiosk/voice.md',
      ]) {
        expect(existsSync(join(root, f)), f).toBe(true);
      }
      expect(readFileSync(join(root, 'usr/share/doc/idkiosk/copyright'), 'utf8')).toMatch(
        /nitech-jp-atr503-m001[\s\S]*CC-BY-3\.0|CC-BY-3\.0[\s\S]*nitech-jp-atr503-m001/,
      );
      // no synthesiser at run time: the kiosk only plays files
      expect(control).not.toMatch(/open-jtalk|espeak|hts-voice/);
      // the units start exactly what the package installs
      const unit = readFileSync(join(root, 'usr/lib/systemd/system/idkiosk.service'), 'utf8');
      const exec = /^ExecStart=\/usr\/bin\/node (\S+)/m.exec(unit)![1]!;
      expect(existsSync(join(root, exec))).toBe(true);
      // dist/idkiosk.mjs is a stub importing its build directory (entry + chunks): that is shipped too
      const stub = readFileSync(join(root, 'usr/lib/idkiosk/dist/idkiosk.mjs'), 'utf8');
      const dir = /^import '\.\/(bundle-[0-9a-z-]+)\/idkiosk\.mjs';$/m.exec(stub)?.[1];
      if (dir) expect(readdirSync(join(root, 'usr/lib/idkiosk/dist', dir)).filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(1);
      expect(readFileSync(join(root, 'usr/lib/tmpfiles.d/idkiosk.conf'), 'utf8')).toMatch(/^d \/etc\/idkiosk 0750 root idkiosk -$/m);
    });

    it('no TypeScript, no tsx or other dev tools, no build leftovers, no other platform’s binaries', () => {
      const all = [...files(root)].map((f) => relative(root, f));
      const app = 'usr/lib/idkiosk/';
      expect(all.filter((f) => f.startsWith(app) && !f.includes('/node_modules/') && f.endsWith('.ts'))).toEqual([]);
      const modules = new Set(readdirSync(join(root, app, 'node_modules')));
      for (const dev of ['tsx', 'esbuild', '@esbuild', 'typescript', 'vitest', 'playwright-core', 'fast-check', '@types'])
        expect(modules.has(dev), dev).toBe(false);
      const leftovers = all.filter(
        (f) => /\.(o|a|c|cc|cpp|h|gyp|gypi|mk)$/.test(f) || /\/(obj\.target|\.deps)\//.test(f) || /better-sqlite3\/(deps|src)\//.test(f),
      );
      expect(leftovers).toEqual([]);
      // every ELF file is for the target machine (e_machine at offset 18)
      const elves = all.filter((f) => {
        const b = readFileSync(join(root, f)).subarray(0, 20);
        return b.length === 20 && b.readUInt32BE(0) === 0x7f454c46;
      });
      // one built addon per native module the daemon loads, sd_notify's among them (a Pi package without it
      // never becomes ready under Type=notify)
      for (const addon of ['better-sqlite3', 'pcsclite', 'epoll', 'unix-dgram', '@serialport/bindings-cpp'])
        expect(
          elves.some((f) => f.includes(`/node_modules/${addon}/`)),
          addon,
        ).toBe(true);
      const foreign = elves.filter((f) => readFileSync(join(root, f)).readUInt16LE(18) !== ELF_MACHINE[arch]);
      expect(foreign).toEqual([]);
      expect(elves.some((f) => f.includes('musl'))).toBe(false);
      const size = all.reduce((n, f) => n + statSync(join(root, f)).size, 0);
      console.log(
        `package ${DEB}: ${(statSync(DEB).size / 1e6).toFixed(1)} MB, installed ${(size / 1e6).toFixed(1)} MB, ${all.length} files, ${elves.length} ELF`,
      );
    });

    it('maintainer scripts: valid sh; purge deletes the config and state, remove and upgrade do not', () => {
      const dir = mkdtempSync(join(tmpdir(), 'idkiosk-deb-ctl-'));
      execFileSync('dpkg-deb', ['-e', DEB, dir]);
      for (const s of ['postinst', 'prerm', 'postrm']) {
        expect(statSync(join(dir, s)).mode & 0o111).toBe(0o111);
        expect(spawnSync('sh', ['-n', join(dir, s)]).status).toBe(0);
      }
      const postrm = readFileSync(join(dir, 'postrm'), 'utf8');
      const purge = /if \[ "\$1" = purge \]; then([\s\S]*?)\nfi/.exec(postrm)![1]!;
      expect(purge).toMatch(/rm -rf \/etc\/idkiosk \/var\/lib\/idkiosk/);
      expect(postrm.replace(purge, '')).not.toMatch(/rm -rf/);
      // postinst never deletes or writes into the configuration or state (an upgrade keeps them)
      expect(readFileSync(join(dir, 'postinst'), 'utf8')).not.toMatch(
        /\brm\b|>\s*\/(etc|var\/lib)\/idkiosk|\b(mv|cp|chown|chmod)\b[^\n]*\/(etc|var\/lib)\/idkiosk/,
      );
    });

    it.skipIf(!have('lintian'))(
      'lintian reports no errors',
      () => {
        // scripts/package.sh runs lintian on every build and keeps its report; run it here only if missing
        const report = join(ROOT, 'dist', `lintian-${arch}.txt`);
        const out =
          existsSync(report) && statSync(report).mtimeMs >= statSync(DEB).mtimeMs
            ? readFileSync(report, 'utf8')
            : (({ stdout, stderr }) => stdout + stderr)(
                spawnSync('lintian', ['--allow-root', '--tag-display-limit', '0', DEB], { encoding: 'utf8', timeout: 600_000 }),
              );
        console.log(
          `lintian: ${out.split('\n').filter((l) => /^[EWIP]:/.test(l)).length} tags, ${out.split('\n').filter((l) => l.startsWith('E:')).length} errors`,
        );
        expect(out.split('\n').filter((l) => l.startsWith('E:'))).toEqual([]);
      },
      600_000,
    );
  });
