// Card images → PNG for the screen: the face is JPEG 2000, the 1st-gen front side and the 2nd-gen name
// image are MMR (CCITT G4) TIFF. Neither format has a decoder in Node, so a Debian tool does the
// decoding in a child process under strict limits (input size, output pixels, wall time, no shell) and
// inside a sandbox — on an installed kiosk the systemd-activated decoder unit (decode-socket.ts), elsewhere
// bubblewrap (decoder-sandbox.ts); either way no device key, no network, nothing but the programs:
//   JPEG 2000 → opj_decompress (libopenjp2-tools)    TIFF G4 → tifftopnm (netpbm)
// Both write PNM, which png-encode.ts turns into PNG. The converter is injected (tests and kiosks without
// the tools use another one); a missing tool or a failed decode is the outcome "not-decoded", never an
// error of the verification — images are for display only and are decoded after the signature check.
// Without a working sandbox nothing is decoded ("sandbox-unavailable"): the decoder never runs bare.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BWRAP, isSandboxFailure, resolveTool, sandboxedCommand, SANDBOX_PATH } from './decoder-sandbox.ts';
import { decodeViaSocket, DECODE_SOCKET } from './decode-socket.ts';
import { encodePng } from '../../core/png.ts';
import { parsePnm } from './pnm.ts';

export type ImageFormat = 'jpeg2000' | 'tiff-g4';

export type ImageOutcome = { status: 'decoded'; png: Buffer; width: number; height: number } | { status: 'not-decoded'; reason: NotDecodedReason };

export type NotDecodedReason = 'tool-missing' | 'sandbox-unavailable' | 'decode-failed' | 'too-large' | 'timeout' | 'empty';

export interface ImageConverter {
  toPng(format: ImageFormat, data: Buffer): Promise<ImageOutcome>;
}

export interface ToolConverterOptions {
  /** Max input bytes (the card's largest image is 7000). */
  maxInputBytes?: number;
  /** Max decoded pixels (a face is a few hundred × a few hundred). */
  maxPixels?: number;
  timeoutMs?: number;
  /** Directory for the JPEG 2000 temp files (opj_decompress only reads/writes files); default /dev/shm (RAM) when present. */
  workDir?: string;
  /** Tool paths (default: found in /usr/bin or /bin; the daemon's PATH is not used). */
  opjDecompress?: string;
  tifftopnm?: string;
  /** bubblewrap binary (default /usr/bin/bwrap); the decoder never runs outside it. */
  bwrap?: string;
  /**
   * The systemd-activated decoder's socket (decode-socket.ts). Default: DECODE_SOCKET when it exists (an
   * installed kiosk), else bubblewrap (a checkout: demo, tests). null: always bubblewrap. A socket that
   * does not answer falls back to bubblewrap; no sandbox at all is "sandbox-unavailable", never a bare run.
   */
  decodeSocket?: string | null;
  /** Address-space limit of the decoder child (bytes), applied through prlimit when it is installed. */
  maxMemoryBytes?: number;
}

const LIMITS = { maxInputBytes: 16_384, maxPixels: 4_000_000, timeoutMs: 5_000, maxMemoryBytes: 512 * 1024 * 1024 };

// util-linux (Essential in Debian, and in RUNTIME_DEBS) sets rlimits and then execs bubblewrap, which
// execs the decoder: the limits are inherited, and the time limit's SIGKILL reaches bubblewrap, whose
// --die-with-parent takes the decoder down with it. Where prlimit is absent the sandbox runs without rlimits.
const PRLIMIT = '/usr/bin/prlimit';

/** The command under rlimits: memory, no core dump (it would hold card data), output file size, few fds. */
function limited(file: string, args: string[], maxMemoryBytes: number, maxFileBytes: number): [string, string[]] {
  if (!existsSync(PRLIMIT)) return [file, args];
  return [PRLIMIT, [`--as=${maxMemoryBytes}`, '--core=0', `--fsize=${maxFileBytes}`, '--nofile=64', '--', file, ...args]];
}

type RunResult = { ok: true; stdout: Buffer } | { ok: false; reason: 'sandbox-unavailable' | 'decode-failed' | 'timeout' };

function run(file: string, args: string[], input: Buffer | null, timeoutMs: number, maxOut: number): Promise<RunResult> {
  return new Promise((resolve) => {
    // The sandbox child gets only PATH in its environment (no secrets or config paths from ours; bubblewrap
    // clears the decoder's again), stdin/stdout/stderr as pipes and no other descriptor (Node opens every
    // fd close-on-exec), and the size/time limits above.
    const child = execFile(
      file,
      args,
      { encoding: 'buffer', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: maxOut, windowsHide: true, cwd: '/', env: { PATH: SANDBOX_PATH } },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, stdout: stdout as Buffer });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (e.killed || e.signal === 'SIGKILL') return resolve({ ok: false, reason: 'timeout' });
        if (e.code === 'ENOENT' || isSandboxFailure((stderr as Buffer).toString('utf8'))) return resolve({ ok: false, reason: 'sandbox-unavailable' });
        resolve({ ok: false, reason: 'decode-failed' });
      },
    );
    child.stdin?.on('error', () => {}); // a decoder that exits early must not crash us with EPIPE
    if (input) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

type Decoded = { ok: true; pnm: Buffer } | { ok: false; reason: NotDecodedReason };

/** The decoder run here, under prlimit and bubblewrap (a checkout: demo, tests, development). */
async function inBubblewrap(
  format: ImageFormat,
  data: Buffer,
  isJp2: boolean,
  o: ToolConverterOptions,
  lim: typeof LIMITS,
  maxOut: number,
  workRoot: string,
): Promise<Decoded> {
  const tool = resolveTool(format === 'tiff-g4' ? (o.tifftopnm ?? 'tifftopnm') : (o.opjDecompress ?? 'opj_decompress'));
  if (!tool) return { ok: false, reason: 'tool-missing' };
  const bwrap = o.bwrap ?? BWRAP;
  if (!existsSync(bwrap)) return { ok: false, reason: 'sandbox-unavailable' };
  if (format === 'tiff-g4') {
    const [file, args] = sandboxedCommand(tool, ['-quiet'], { bwrap });
    const r = await run(...limited(file, args, lim.maxMemoryBytes, maxOut), data, lim.timeoutMs, maxOut);
    return r.ok ? { ok: true, pnm: r.stdout } : r;
  }
  // opj_decompress reads and writes files only: a private directory (0700), removed right after.
  const dir = await mkdtemp(join(workRoot, 'idkiosk-img-'));
  try {
    const input = join(dir, isJp2 ? 'in.jp2' : 'in.j2k');
    const output = join(dir, 'out.pnm');
    await writeFile(input, data, { mode: 0o600 });
    const [file, args] = sandboxedCommand(tool, ['-quiet', '-i', input, '-o', output], { bwrap, writableDir: dir });
    const r = await run(...limited(file, args, lim.maxMemoryBytes, maxOut), null, lim.timeoutMs, 64 * 1024);
    return r.ok ? { ok: true, pnm: await readFile(output).catch(() => Buffer.alloc(0)) } : r;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The production converter: Debian tools in a sandbox (the decoder unit where installed, else bubblewrap). */
export function toolImageConverter(o: ToolConverterOptions = {}): ImageConverter {
  const lim = { ...LIMITS, ...o };
  const maxOut = lim.maxPixels * 3 + 64;
  const workRoot = o.workDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  return {
    async toPng(format, data) {
      if (data.length === 0) return { status: 'not-decoded', reason: 'empty' };
      if (data.length > lim.maxInputBytes) return { status: 'not-decoded', reason: 'too-large' };
      const isJp2 = data.subarray(4, 8).toString('latin1') === 'jP  ';
      const socket = o.decodeSocket === undefined ? (existsSync(DECODE_SOCKET) ? DECODE_SOCKET : null) : o.decodeSocket;
      const viaSocket = socket ? await decodeViaSocket(socket, format === 'tiff-g4' ? 'tiff' : isJp2 ? 'jp2' : 'j2k', data, lim.timeoutMs, maxOut) : null;
      // A socket nobody answers (unit stopped, a user the socket refuses): the decoder never ran, so bubblewrap
      // gets the image instead — inside idkiosk.service that is refused too, and the image stays not-decoded.
      const unanswered = !viaSocket || (!viaSocket.ok && viaSocket.reason === 'sandbox-unavailable');
      const r: Decoded = unanswered ? await inBubblewrap(format, data, isJp2, o, lim, maxOut, workRoot) : viaSocket;
      if (!r.ok) return { status: 'not-decoded', reason: r.reason };
      const img = parsePnm(r.pnm, lim.maxPixels);
      if (!img) return { status: 'not-decoded', reason: r.pnm.length ? 'decode-failed' : 'empty' };
      return { status: 'decoded', png: encodePng(img), width: img.width, height: img.height };
    },
  };
}

/** A converter that decodes nothing (kiosks configured not to display images, or tests). */
export const noImageConverter: ImageConverter = {
  async toPng() {
    return { status: 'not-decoded', reason: 'tool-missing' };
  },
};
