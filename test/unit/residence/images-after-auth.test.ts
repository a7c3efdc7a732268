// Issue 17: residence card images (JPEG 2000 face, MMR TIFF) reach the native decoders only for a verified
// card — in the kiosk flow and in `idkiosk read residence --images` — and the decoder child gets only PATH
// in its environment, its sandbox's private /tmp as its working directory, and rlimits (memory, no core dump).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeImages } from '../../../daemon/cli/read/residence.ts';
import { residenceFlow } from '../../../daemon/documents/residence/residence-flow.ts';
import { toolImageConverter, type ImageConverter } from '../../../daemon/images/tool-converter.ts';
import type { FlowContext } from '../../../daemon/kiosk/document-flow.ts';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF } from '../../../drivers/sim/residence/index.ts';
import { promptWith, residenceCard, sessionFor, trustBoth } from './helpers.ts';
import { residenceViewOf } from '../../../daemon/documents/residence/residence-view.ts';

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
    const view = await residenceFlow({ trust: trustBoth(), displayImages: true, images: s.conv }).run(
      await ctxFor({ generation: 1, faults: { tamperedData: true } }),
    );
    expect(view.outcome).toBe('refused');
    expect(residenceViewOf(view)?.images).toBeUndefined();
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

describe('decoder child: minimal environment, sandbox working directory, rlimits', () => {
  // The decoder can write nothing outside its sandbox, so it reports through the only channel it has, the
  // image it outputs: its width is 1 plus one bit per violation, the height is 1.
  const VIOLATIONS = { marker: 1, noPath: 2, memory: 4, core: 8, cwd: 16 };
  const probe = (dir: string) => {
    const tool = join(dir, 'fake-tifftopnm.sh');
    writeFileSync(
      tool,
      `#!/bin/sh
v=0
[ -n "\${IDKIOSK_TEST_MARKER:-}" ] && v=$((v + ${VIOLATIONS.marker}))
[ -n "\${PATH:-}" ] || v=$((v + ${VIOLATIONS.noPath}))
[ "$(ulimit -v)" = ${512 * 1024} ] || v=$((v + ${VIOLATIONS.memory}))
[ "$(ulimit -c)" = 0 ] || v=$((v + ${VIOLATIONS.core}))
[ "$(pwd)" = /tmp ] || v=$((v + ${VIOLATIONS.cwd}))
cat >/dev/null
printf 'P5\\n%d 1\\n255\\n' $((v + 1))
printf "%$((v + 1))s" ''
`,
      { mode: 0o755 },
    );
    return tool;
  };

  it('sees only PATH from our environment, runs in its private /tmp, under the memory and core limits', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'idkiosk-child-')));
    const tool = probe(dir);
    process.env.IDKIOSK_TEST_MARKER = 'must-not-leak';
    try {
      // The probe is not blind: run bare, in our environment and directory, it reports the marker and the cwd.
      const bare = spawnSync(tool, { input: SYNTHETIC_FRONT_TIFF, cwd: dir });
      const bareWidth = Number(/^P5\n(\d+) /.exec(bare.stdout.toString('latin1'))?.[1]);
      expect((bareWidth - 1) & (VIOLATIONS.marker | VIOLATIONS.cwd)).toBe(VIOLATIONS.marker | VIOLATIONS.cwd);
      const r = await toolImageConverter({ tifftopnm: tool, workDir: dir, decodeSocket: null }).toPng('tiff-g4', SYNTHETIC_FRONT_TIFF);
      const expected = existsSync('/usr/bin/prlimit') ? 1 : 1 + VIOLATIONS.memory + VIOLATIONS.core;
      expect(r).toMatchObject({ status: 'decoded', width: expected, height: 1 });
    } finally {
      delete process.env.IDKIOSK_TEST_MARKER;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
