// A small mutation fuzzer: deterministic per (seed, case number), so any finding is reproduced by
// `npm run fuzz -- --target T --seed S --case N`. Each case picks a corpus entry and applies 1–4
// mutations (bit flips, interesting bytes, inserted/deleted/duplicated ranges, truncation, splices with
// another corpus entry, DER-length nudges). The judge is the target's: by default, only a KioskError may
// escape (a parser of untrusted input must fail with a stable code, never a library's plain Error).
// Hangs: a case that takes longer than hangMs is a hang (the runner in fuzz-runner.ts also kills a
// target whose worker stops making progress, and reports the case it was on).
// Judged targets (judge-targets.ts) also throw TamperedProven when tampered signed or MAC'd data came
// out proven: counted apart from crashes, because it is the worse finding (a forgery accepted).
import { isKioskError } from '../../core/errors.ts';

/** Thrown by a judged target when a mutated signed/MAC'd input still gave a proven verdict. */
export class TamperedProven extends Error {
  override name = 'TamperedProven';
}

export interface FuzzTarget {
  name: string;
  /** Seed inputs: well-formed (and a few near-miss) examples of what the parser takes (may be recorded from a virtual card). */
  corpus(): Buffer[] | Promise<Buffer[]>;
  /** Runs the parser on one input. Throwing anything the target does not accept is a crash. */
  run(input: Buffer): void | Promise<void>;
  /** Whether an escaped error is acceptable (default: a KioskError). */
  accepts?(e: unknown): boolean;
}

export interface Finding {
  caseNo: number;
  kind: 'crash' | 'hang' | 'proven-from-tampered';
  error: string;
  inputHex: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  cases: number;
  crashes: number;
  hangs: number;
  /** Cases where tampered signed/MAC'd data still came out proven (judged targets only). */
  provenFromTampered: number;
  ms: number;
  findings: Finding[];
}

/** xorshift32: tiny, fast, reproducible. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x04, 0x05, 0x06, 0x03, 0xa0, 0xa2, 0x7b, 0x22];

/** The input for case `caseNo` under `seed` (pure function of both and the corpus). */
export function mutate(corpus: Buffer[], seed: number, caseNo: number): Buffer {
  const r = rng((seed * 0x01000193) ^ (caseNo * 0x9e3779b1));
  const pick = (n: number) => (n <= 0 ? 0 : r() % n);
  let b = Buffer.from(corpus[pick(corpus.length)]!);
  const rounds = 1 + pick(4);
  for (let i = 0; i < rounds; i++) {
    const len = b.length;
    switch (pick(10)) {
      case 0: // flip one bit
        if (len) b[pick(len)]! ^= 1 << pick(8);
        break;
      case 1: // an interesting byte
        if (len) b[pick(len)] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2: // a random byte
        if (len) b[pick(len)] = pick(256);
        break;
      case 3: {
        // delete a range
        const at = pick(len);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + pick(Math.min(16, len - at)))]);
        break;
      }
      case 4: {
        // insert random bytes
        const at = pick(len + 1);
        const ins = Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256)));
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 5: {
        // duplicate a range
        const at = pick(len);
        const piece = b.subarray(at, at + 1 + pick(32));
        const to = pick(len + 1);
        b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
        break;
      }
      case 6: // truncate
        b = b.subarray(0, pick(len + 1));
        break;
      case 7: {
        // splice with another corpus entry
        const other = corpus[pick(corpus.length)]!;
        const at = pick(len + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(pick(other.length + 1))]);
        break;
      }
      case 8: {
        // nudge what may be a DER length byte (the byte after a tag-looking byte)
        if (len > 2) {
          const at = 1 + pick(len - 1);
          b[at] = (b[at]! + [1, -1, 0x80, 0x7f][pick(4)]!) & 0xff;
        }
        break;
      }
      default: // overwrite with a 32-bit boundary value
        if (len >= 4) b.writeUInt32BE([0, 0xffffffff, 0x7fffffff, 0x80000000, 1][pick(5)]!, pick(len - 3));
    }
  }
  return b;
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : `non-Error ${typeof e}`);

/**
 * Runs `target` for at most `maxCases` cases or `budgetMs`, from case `firstCase`. `progress(n)` is called
 * before each case (the worker runner uses it to name the case a hang happened on).
 */
export async function fuzz(
  target: FuzzTarget,
  o: { seed: number; maxCases: number; budgetMs: number; hangMs?: number; firstCase?: number; progress?: (caseNo: number) => void },
): Promise<FuzzReport> {
  const corpus = await target.corpus();
  const accepts = target.accepts ?? isKioskError;
  const hangMs = o.hangMs ?? 2000;
  const findings: Finding[] = [];
  const t0 = performance.now();
  let n = 0;
  let crashes = 0;
  let hangs = 0;
  let tampered = 0;
  const kindOf = (e: unknown): Finding['kind'] => (e instanceof TamperedProven ? 'proven-from-tampered' : 'crash');
  // Seeds themselves first (a regression in a well-formed input shows up as case -k).
  for (let i = 0; i < corpus.length; i++) {
    try {
      await target.run(corpus[i]!);
    } catch (e) {
      if (e instanceof TamperedProven || !accepts(e))
        findings.push({ caseNo: -(i + 1), kind: kindOf(e), error: describeError(e), inputHex: corpus[i]!.toString('hex').slice(0, 2048) });
    }
  }
  for (let c = o.firstCase ?? 0; n < o.maxCases && performance.now() - t0 < o.budgetMs; c++, n++) {
    const input = mutate(corpus, o.seed, c);
    o.progress?.(c);
    const s = performance.now();
    try {
      await target.run(input);
    } catch (e) {
      if (e instanceof TamperedProven || !accepts(e)) {
        if (e instanceof TamperedProven) tampered++;
        else crashes++;
        if (findings.length < 20) findings.push({ caseNo: c, kind: kindOf(e), error: describeError(e), inputHex: input.toString('hex').slice(0, 2048) });
      }
    }
    if (performance.now() - s > hangMs) {
      hangs++;
      if (findings.length < 20)
        findings.push({ caseNo: c, kind: 'hang', error: `took ${Math.round(performance.now() - s)} ms`, inputHex: input.toString('hex').slice(0, 2048) });
    }
  }
  crashes += findings.filter((f) => f.caseNo < 0 && f.kind === 'crash').length;
  tampered += findings.filter((f) => f.caseNo < 0 && f.kind === 'proven-from-tampered').length;
  return { target: target.name, seed: o.seed, cases: n, crashes, hangs, provenFromTampered: tampered, ms: Math.round(performance.now() - t0), findings };
}
