// The installed kiosk decodes card images through the systemd-activated decoder (idkiosk-decode.socket →
// idkiosk-decode@.service running systemd/idkiosk-decode.sh with stdin/stdout on the connection). Here
// systemd-socket-activate plays systemd's part (--accept --inetd: one instance per connection, the
// connection as stdin and stdout), so the daemon's client and the shipped script are tested together; the
// unit's sandbox itself is checked in test/integration/systemd/decoder-unit.test.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolImageConverter } from '../../../daemon/images/tool-converter.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF } from '../../../drivers/sim/residence/index.ts';

const ROOT = join(import.meta.dirname, '../../..');
const available = spawnSync('systemd-socket-activate', ['--version']).status === 0;
if (!available) console.warn('systemd-socket-activate not installed (Debian package "systemd"): decoder socket protocol not tested');

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-decode-sock-'));
const activators: ChildProcess[] = [];

async function serve(name: string, script: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = join(dir, name);
  const p = spawn('systemd-socket-activate', ['-l', path, '--accept', '--inetd', '/bin/sh', script], { stdio: 'ignore', env });
  activators.push(p);
  for (const end = Date.now() + 10_000; !existsSync(path); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error(`${path} never appeared`);
  }
  return path;
}

let decoder = '';
beforeAll(async () => {
  if (available) decoder = await serve('decode.sock', join(ROOT, 'systemd/idkiosk-decode.sh'));
});
afterAll(() => {
  for (const p of activators) p.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('decoding through the decoder socket', () => {
  it('the face (JPEG 2000) and the MMR TIFF images decode', async () => {
    const conv = toolImageConverter({ decodeSocket: decoder });
    expect(await conv.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toMatchObject({ status: 'decoded', width: 24, height: 32 });
    for (const tiff of [SYNTHETIC_FRONT_TIFF, SYNTHETIC_NAME_TIFF]) expect((await conv.toPng('tiff-g4', tiff)).status).toBe('decoded');
  });

  it('garbage is "not decoded", never an exception', async () => {
    const conv = toolImageConverter({ decodeSocket: decoder });
    expect((await conv.toPng('jpeg2000', Buffer.alloc(300, 0x41))).status).toBe('not-decoded');
    expect((await conv.toPng('tiff-g4', Buffer.alloc(300, 0x41))).status).toBe('not-decoded');
  });

  it('no listener: bubblewrap decodes instead; without bubblewrap either, nothing runs outside a sandbox', async () => {
    const absent = join(dir, 'absent.sock');
    expect(await toolImageConverter({ decodeSocket: absent }).toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toMatchObject({
      status: 'decoded',
      width: 24,
      height: 32,
    });
    const conv = toolImageConverter({ decodeSocket: absent, bwrap: join(dir, 'no-bwrap') });
    expect(await conv.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toEqual({ status: 'not-decoded', reason: 'sandbox-unavailable' });
  });

  it('a decoder that fails after writing a whole image sends nothing: only a success is an image', async () => {
    // A stand-in tifftopnm, found first on PATH by the shipped script: a valid 2×1 PNM, then failure.
    const bin = join(dir, 'failing-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tifftopnm'), "#!/bin/sh\ncat >/dev/null\nprintf 'P5\\n2 1\\n255\\n\\001\\002'\nexit 1\n", { mode: 0o755 });
    const path = await serve('failing.sock', join(ROOT, 'systemd/idkiosk-decode.sh'), { ...process.env, PATH: `${bin}:/usr/bin:/bin` });
    expect(await toolImageConverter({ decodeSocket: path }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF)).toEqual({ status: 'not-decoded', reason: 'empty' });
  });

  it('a decoder that hangs is abandoned at the time limit', async () => {
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, 'exec sleep 5\n');
    const path = await serve('hang.sock', hang);
    // Without the time limit the answer would come when sleep ends, as "empty": "timeout" is the limit's own.
    expect(await toolImageConverter({ decodeSocket: path, timeoutMs: 300 }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF)).toEqual({
      status: 'not-decoded',
      reason: 'timeout',
    });
  });
});
