// The exit code and the verdict fields of `idkiosk read <document>`, in one place for every document:
//   0  verified   — the document's verdict is 'verified' with authenticity 'proven' and a named holder binding
//   3  chip-read  — read from the chip, data not proven (authenticity 'chip-read'); never treat as verified
//   1  refused    — anything else the document decided (including authenticity 'failed')
//   2  error      — the command could not decide (usage, reader, card I/O), or printed no result
// Each document's subcommand prints its own result JSON; this module reads that object back and applies
// the same rule as the kiosk's verdict gate (daemon/policy/verdict-gate.ts), failing closed: a result that
// says 'verified' without proven authenticity (a missing field included) does not exit 0 — it becomes
// 'refused' with DOCUMENT_NOT_PROVEN, or 'chip-read' when the result itself says the data is chip-read.
// The printed JSON always carries `authenticity`, `holderBinding` and `checks` (null / {} when the document
// did not report them), and its `verdict` always agrees with the exit code.
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

export const READ_EXIT = { verified: 0, refused: 1, error: 2, chipRead: 3 } as const;

const NOT_PROVEN = {
  code: 'DOCUMENT_NOT_PROVEN',
  message: "the result claimed 'verified' without proven authenticity and a holder binding; the data is not proven",
};

type Json = Record<string, unknown>;

const named = (x: unknown) => typeof x === 'string' && x.length > 0;

/** The exit code for one printed result, and the result as it must be printed (verdict-model fields present, verdict = exit). */
export function gateReadResult(result: Json): { exit: 0 | 1 | 3; json: Json } {
  const authenticity = result.authenticity ?? null;
  const holderBinding = result.holderBinding ?? null;
  const checks = typeof result.checks === 'object' && result.checks !== null && !Array.isArray(result.checks) ? result.checks : {};
  const claimed = result.verdict;
  const json: Json = { ...result, authenticity, holderBinding, checks };
  if (claimed === 'verified' && authenticity === 'proven' && named(holderBinding)) return { exit: 0, json };
  if ((claimed === 'verified' || claimed === 'chip-read') && authenticity === 'chip-read' && named(holderBinding)) {
    return { exit: 3, json: { ...json, verdict: 'chip-read' } };
  }
  if (claimed === 'verified' || claimed === 'chip-read') {
    const reasons = Array.isArray(result.reasons) ? result.reasons : [];
    return { exit: 1, json: { ...json, verdict: 'refused', reasons: [...reasons, NOT_PROVEN] } };
  }
  return { exit: 1, json: { ...json, verdict: 'refused' } };
}

/**
 * Runs a document's subcommand with its stdout held back, then prints its one JSON result through
 * gateReadResult and returns the exit code from it. Exit 2 from the subcommand, and anything thrown,
 * pass through untouched (what it printed is still printed). Output that is not one JSON object is an
 * error (2), never a verdict.
 */
export async function runReadWithVerdictExit(sub: ReadSubcommand, argv: string[], io: CliIO): Promise<number> {
  let held = '';
  const inner: CliIO = {
    ...io,
    stdout: (t) => {
      held += t;
    },
  };
  let code: number;
  try {
    code = await sub.run(argv, inner);
  } catch (e) {
    if (held) io.stdout(held);
    throw e;
  }
  if (code === READ_EXIT.error) {
    if (held) io.stdout(held);
    return code;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(held);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    if (held) io.stdout(held);
    io.stderr(`idkiosk read ${sub.name}: no result object was printed\n`);
    return READ_EXIT.error;
  }
  const { exit, json } = gateReadResult(parsed as Json);
  io.stdout(JSON.stringify(json) + '\n');
  // A subcommand that refused on its own (exit 1) is never turned into an acceptance by its JSON.
  return exit === READ_EXIT.verified && code !== READ_EXIT.verified ? READ_EXIT.refused : exit;
}
