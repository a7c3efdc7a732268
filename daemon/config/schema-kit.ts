// Building blocks of the configuration schemas (zod). Every block of the config file is a schema made of
// these; its TypeScript type is inferred from it (z.output), so the shape is written once. Each block
// carries the sentence a technician reads, and parseWith() turns the first problem into CONFIG_INVALID
// naming the field by its path: `config printer.serial.baudRate: must be an integer from 1200 to 921600`.
//
// Only the modules that parse configuration import this file (and so zod): `idkiosk --help` and
// `idkiosk crl …` never load it (issue #20, start-up time).
import * as z from 'zod';
import { defined } from '../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

// The schemas import zod themselves (`import * as z from 'zod'`), never a re-export of the namespace from
// here: a re-exported namespace object keeps all of zod — its 40-odd locales — in the bundle (765 KB
// parsed at every daemon start instead of ~150 KB; issue 20).

/** An object block: unknown keys are refused by name, an absent block is `{}` (so its defaults apply). */
export function block<S extends z.ZodRawShape>(shape: S) {
  return object(shape).prefault({} as never);
}

/** An object with exactly these keys (absent → the error "must be an object"). */
export function object<S extends z.ZodRawShape>(shape: S, hint = 'must be an object') {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown setting (known: ${known})` : hint),
  });
}

export function int(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function bool() {
  return z.boolean({ error: 'must be true or false' });
}

/** A non-empty string, optionally matching `pattern` (the hint says how, in words). */
export function text(pattern?: RegExp, hint?: string) {
  const s = z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' });
  return pattern ? s.regex(pattern, { error: hint ?? `must match ${pattern}` }) : s;
}

/** A non-empty string or null (null when absent). */
export function textOrNull(pattern?: RegExp, hint?: string) {
  const error = 'must be a non-empty string or null';
  const s = z.string({ error }).min(1, { error });
  return (pattern ? s.regex(pattern, { error: hint ?? `must match ${pattern}` }) : s).nullable().default(null);
}

/** One of a fixed list of values (strings, numbers or null). */
export function oneOf<const T extends readonly [z.core.util.Literal, ...z.core.util.Literal[]]>(values: T) {
  return z.literal(values, { error: `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}` });
}

/** A list of non-empty strings (file paths). */
export function fileList(hint = 'must be a list of file paths') {
  return z.array(z.string({ error: hint }).min(1, { error: hint }), { error: hint });
}

/** A field path as the operator writes it: `printer.serial.baudRate`, `passport.cscaCountryExceptions[0].issuingState`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/** The field an issue is about (an unknown key is named itself, not its parent block). */
function issuePath(iss: z.core.$ZodIssue, prefix: readonly PropertyKey[]): PropertyKey[] {
  const path = [...prefix, ...iss.path];
  if (iss.code === 'unrecognized_keys' && iss.keys[0] !== undefined) path.push(iss.keys[0]);
  return path;
}

/** What to tell: a bad key in a map (policy names) is told by its own rule, not "Invalid key in record". */
function issueMessage(iss: z.core.$ZodIssue): string {
  return iss.code === 'invalid_key' && iss.issues[0] ? iss.issues[0].message : iss.message;
}

/**
 * Parse `raw` with `schema`; the first problem becomes KioskError CONFIG_INVALID (details.field = its path,
 * details.problems = how many fields are wrong). `prefix` is where the block sits in the file ('mynumber');
 * `label` names the file in the message ('config', 'fleet config').
 */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, prefix: readonly PropertyKey[] = [], label = 'config'): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = defined(r.error.issues[0], ErrorCodes.CONFIG_INVALID, `${label}: invalid, no issue reported`);
  const field = fieldPath(issuePath(first, prefix));
  const others = new Set(r.error.issues.map((i) => fieldPath(issuePath(i, prefix)))).size - 1;
  const more = others > 0 ? ` (and ${others} more field${others > 1 ? 's' : ''})` : '';
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `${label} ${field}: ${issueMessage(first)}${more}`, { field, problems: others + 1 });
}

/** A rule across fields, reported like a schema problem (for use inside superRefine). */
export function refuse(ctx: z.RefinementCtx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}
