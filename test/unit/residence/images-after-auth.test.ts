// Issue 17: residence card images (JPEG 2000 face, MMR TIFF) reach the native decoders only for a verified
// card — in the kiosk flow and in `idkiosk read residence --images` — and the decoder child gets only PATH
// in its environment, a temp directory as its working directory, and rlimits (memory, no core dump).
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeImages } from '../../../daemon/cli/read/residence.ts';
import { residenceFlow } from '../../../daemon/documents/residence/residence-flow.ts';
import { toolImageConverter, type ImageConverter } from '../../../daemon/images/tool-converter.ts';
import type { FlowContext } from '../../../daemon/kiosk/runtime.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF } from '../../../drivers/sim/residence/index.ts';
import { promptWith, residenceCard, sessionFor, trustBoth } from './helpers.ts';

function spy() {
  const seen: string[] = [];
  const conv: ImageConverter = {
    toPng: async (format) => {
      seen.push(format);
      return { status: 'decoded', png: Buffer.from('PNG'), width: 1, height: 1 };
    },
  };
  return { seen, conv };
}

async function ctxFor(o: Parameters<typeof residenceCard>[0]): Promise<FlowContext> {
  const { card } = residenceCard(o);
  const { session } = await sessionFor(card);
  return { session, prompt: promptWith('AA12345678BB'), progress: () => {}, signal: new AbortController().signal };
}

describe('residence images decoded only for a verified card (issue 17)', () => {
  it('1st gen, genuine: verified, face and front side decoded', async () => {
    const s = spy();
    const view = await residenceFlow({ trust: trustBoth(), displayImages: true, images: s.conv }).run(await ctxFor({ generation: 1 }));
    expect(view.outcome).toBe('verified');
    expect(s.seen.sort()).toEqual(['jpeg2000', 'tiff-g4']);
  });

  it('1st gen, face changed after signing: refused, no image reaches the decoder', async () => {
    const s = spy();
    const view = await residenceFlow({ trust: trustBoth(), displayImages: true, images: s.conv }).run(await ctxFor({ generation: 1, faults: { tamperedData: true } }));
    expect(view.outcome).toBe('refused');
    expect(view.residence?.images).toBeUndefined();
    expect(s.seen).toEqual([]);
  });

  it('read residence --images: nothing decoded or written unless the verdict is verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idkiosk-resimg-'));
    try {
      const images = { face: SYNTHETIC_FACE_JP2, frontImage: SYNTHETIC_FRONT_TIFF };
      for (const verdict of ['refused', 'chip-read']) {
        const s = spy();
        expect(await writeImages(join(dir, verdict), images, verdict, s.conv)).toEqual({ all: 'images not decoded (the card is not verified)' });
        expect(s.seen).toEqual([]);
      }
      const s = spy();
      const out = await writeImages(join(dir, 'ok'), images, 'verified', s.conv);
      expect(s.seen).toEqual(['jpeg2000', 'tiff-g4']);
      expect(Object.keys(out)).toEqual(['face', 'front']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decoder child: minimal environment, temp working directory, rlimits', () => {
  it('sees only PATH from our environment and runs in the work directory, not ours', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'idkiosk-child-')));
    const report = join(dir, 'report');
    const tool = join(dir, 'fake-tifftopnm.sh');
    writeFileSync(tool, `#!/bin/sh\n{ echo "cwd=$(pwd)"; echo "as=$(ulimit -v)"; echo "core=$(ulimit -c)"; env; } > '${report}'\nexit 1\n`, { mode: 0o755 });
    process.env.IDKIOSK_TEST_MARKER = 'must-not-leak';
    try {
      const r = await toolImageConverter({ tifftopnm: tool, workDir: dir }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF);
      expect(r).toEqual({ status: 'not-decoded', reason: 'decode-failed' });
      const text = readFileSync(report, 'utf8');
      expect(text).toContain(`cwd=${dir}\n`);
      expect(text).not.toContain('IDKIOSK_TEST_MARKER');
      expect(text).toMatch(/^PATH=/m);
      if (existsSync('/usr/bin/prlimit')) {
        // Under prlimit (util-linux): the default 512 MiB address space (ulimit -v is in KiB), no core dump.
        expect(text).toContain(`as=${512 * 1024}\n`);
        expect(text).toContain('core=0\n');
      }
    } finally {
      delete process.env.IDKIOSK_TEST_MARKER;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
