// The image decoder runs in a sandbox (daemon/images/decoder-sandbox.ts): a decoder that turns hostile
// tries to read a file standing in for the device key and to connect to a listener of the daemon's host;
// both must fail, while a real face still decodes. The same probe run outside the sandbox succeeds at both,
// so the test fails if the sandbox stops isolating.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolImageConverter } from '../../../daemon/images/tool-converter.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF } from '../../../drivers/sim/residence/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'idkiosk-sandbox-'));
const keyFile = join(dir, 'device.key'); // stands in for /etc/idkiosk/device.key
const probe = join(dir, 'hostile-decoder.sh');
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  writeFileSync(keyFile, 'SYNTHETIC-DEVICE-KEY\n', { mode: 0o644 });
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  // Reports what it could do through the only channel a decoder has, its output image:
  // width 2 = it read the key, height 2 = it reached the host's listener (1 = it could not).
  writeFileSync(
    probe,
    `#!/bin/bash
w=1; h=1
if [ "$(cat '${keyFile}' 2>/dev/null)" = SYNTHETIC-DEVICE-KEY ]; then w=2; fi
if (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; then h=2; fi
cat >/dev/null 2>&1
printf 'P5\\n%d %d\\n255\\n' $w $h
head -c $((w*h)) /dev/zero 2>/dev/null || printf '\\0\\0\\0\\0' | head -c $((w*h))
`,
    { mode: 0o755 },
  );
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('image decoder sandbox', () => {
  it('outside the sandbox the probe reads the key stand-in and reaches the listener (the test can fail)', async () => {
    const r = spawnSync(probe, { input: SYNTHETIC_FRONT_TIFF });
    expect(r.stdout.subarray(0, 10).toString('latin1')).toBe('P5\n2 2\n255');
    // The server's accept runs once the event loop is free again (spawnSync held it): poll with a deadline.
    for (const end = Date.now() + 10_000; connections === 0 && Date.now() < end; ) await new Promise((res) => setTimeout(res, 20));
    expect(connections).toBe(1);
  });

  it('inside it, the decoder cannot read the key stand-in nor open a connection', async () => {
    const before = connections;
    const r = await toolImageConverter({ tifftopnm: probe }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF);
    expect(r).toMatchObject({ status: 'decoded', width: 1, height: 1 });
    await new Promise((res) => setTimeout(res, 50)); // a connection that did get through would be counted by now
    expect(connections).toBe(before);
  });

  it('a real face still decodes in the sandbox', async () => {
    expect(await toolImageConverter().toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toMatchObject({ status: 'decoded', width: 24, height: 32 });
  });

  it('without a working sandbox nothing is decoded: the decoder never runs bare', async () => {
    const missing = toolImageConverter({ bwrap: join(dir, 'no-bwrap') });
    expect(await missing.toPng('jpeg2000', SYNTHETIC_FACE_JP2)).toEqual({ status: 'not-decoded', reason: 'sandbox-unavailable' });
    // What bubblewrap says where user namespaces are refused (e.g. systemd's RestrictNamespaces=).
    const refused = join(dir, 'bwrap-refused');
    writeFileSync(refused, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n', { mode: 0o755 });
    const before = connections;
    const r = await toolImageConverter({ bwrap: refused, tifftopnm: probe }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF);
    expect(r).toEqual({ status: 'not-decoded', reason: 'sandbox-unavailable' });
    expect(connections).toBe(before);
  });
});
