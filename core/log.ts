// The one logger of idkiosk: daemon, drivers and CLI take a `Logger` by injection (drivers never import
// daemon/). A record is a level, a message and fields; it is written as one line (stdout → journald, with
// the syslog priority prefix journald understands when stdout is the journal) or as one JSON object.
//
// Callers log codes, counts and facts, never a PIN, password, card number, My Number, name, address or
// birth date. Redaction is the second guard for the day one slips through: a field whose name says
// secret (pin, password, token, secret, key, myNumber/個人番号, mrz, …) is written as [redacted], and a
// value shaped like a secret anywhere in the record (12 digits as a My Number is written, an MRZ line, a
// PEM private key, a bearer token or JWT) is replaced before the line is built.

import { fstatSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Call it for an info line (`log('reader connected')`), or pick a level (`log.warn('…', { code })`). */
export interface Logger {
  (msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields?: LogFields;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A Logger from one function that receives every record (already redacted). */
export function loggerFrom(emit: (r: LogRecord) => void): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => emit(redactRecord({ level, msg, ...(fields ? { fields } : {}) }));
  return Object.assign(at('info'), { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
}

/** Discards everything. */
export const nullLogger: Logger = Object.assign(() => {}, { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} });

/** Where a Logger or a plain line function is accepted (a Logger is one: called, it logs at info). */
export type LogSink = (line: string) => void;

/** A plain `(line) => void` (tests, callers that collect lines) as a Logger; a Logger is returned as is. */
export function asLogger(log: LogSink | undefined): Logger {
  if (!log) return nullLogger;
  if ('warn' in log && typeof log.warn === 'function') return log as Logger;
  return loggerFrom((r) => log(formatLine(r)));
}

export interface MemoryLogger extends Logger {
  readonly lines: LogRecord[];
  /** Every record as its line, one per line. */
  text(): string;
}

/** Keeps the (redacted) records in memory: tests and the leak checks. */
export function memoryLogger(): MemoryLogger {
  const lines: LogRecord[] = [];
  return Object.assign(
    loggerFrom((r) => lines.push(r)),
    { lines, text: () => lines.map(formatLine).join('\n') },
  );
}

export interface ConsoleLoggerOptions {
  /** 'line' (default): `<time> idkiosk: warn: msg {"field":…}`; 'json': one object a line. */
  format?: 'line' | 'json';
  /** Records below this level are dropped (default 'info'; IDKIOSK_LOG_LEVEL in the daemon). */
  level?: LogLevel;
  prefix?: string;
  write?: (line: string) => void;
  now?: () => Date;
  /** Prefix lines with the syslog priority (`<4>`) journald reads; default: when stdout is the journal. */
  priorities?: boolean;
}

const PRIORITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };

/** The daemon's logger: stdout, which systemd hands to journald. */
export function consoleLogger(o: ConsoleLoggerOptions = {}): Logger {
  const write = o.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = o.now ?? (() => new Date());
  const min = LEVELS.indexOf(o.level ?? 'info');
  const prefix = o.prefix ?? 'idkiosk';
  const priorities = o.priorities ?? stdoutIsJournal();
  return loggerFrom((r) => {
    if (LEVELS.indexOf(r.level) < min) return;
    if (o.format === 'json') {
      write(JSON.stringify({ time: now().toISOString(), level: r.level, msg: r.msg, ...r.fields }));
      return;
    }
    write(`${priorities ? `<${PRIORITY[r.level]}>` : ''}${now().toISOString()} ${prefix}: ${formatLine(r)}`);
  });
}

/** systemd's test (systemd.exec(5), $JOURNAL_STREAM): stdout is the journal stream it names (device:inode). */
function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(1);
    return String(st.dev) === m[1] && String(st.ino) === m[2];
  } catch {
    return false;
  }
}

/** `warn: printer link lost {"reason":"EIO"}`; info records carry no level word (the daemon's old lines). */
export function formatLine(r: LogRecord): string {
  const fields = r.fields && Object.keys(r.fields).length ? ` ${JSON.stringify(r.fields)}` : '';
  return `${r.level === 'info' ? '' : `${r.level}: `}${r.msg}${fields}`;
}

// ---- redaction (the second guard) ----

export const REDACTED = '[redacted]';

/** Words that make a field name secret, compared with the name split into words (camelCase, _, -, .). */
const SECRET_WORDS = new Set([
  'pin',
  'puk',
  'pass',
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'secret',
  'token',
  'otp',
  'mrz',
  'cvv',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  'private',
  'mynumber',
  'kojinbango',
]);

const KEY_REFERENCES = new Set([
  'id',
  'ids',
  'file',
  'files',
  'path',
  'paths',
  'name',
  'type',
  'usage',
  'bits',
  'size',
  'length',
  'count',
  'algorithm',
  'fingerprint',
  'ref',
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9\u3000-\u9fff]+/)
    .filter(Boolean);
}

/** Whether a field of this name may hold a secret: its value is never written. */
export function secretFieldName(name: string): boolean {
  if (/個人番号|マイナンバー|暗証番号|パスワード|照合番号/.test(name)) return true;
  const w = words(name);
  if (w.some((x) => SECRET_WORDS.has(x))) return true;
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 'my' && w[i + 1] === 'number') return true;
    // a key ("key", "apiKey", "keyHex"), but not what names or locates one ("keyId", "keyFile", "keypad")
    if ((w[i] === 'key' || w[i] === 'keys') && !KEY_REFERENCES.has(w[i + 1] ?? '')) return true;
  }
  return false;
}

const SHAPES: [RegExp, string][] = [
  // PEM private keys (whole block, or what is left of it)
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  // JWT / JWS compact serialisation, and bearer credentials
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  // ICAO 9303 MRZ lines: 30, 36 or 44 characters of A–Z, 0–9 and the filler <
  [/(?=[A-Z0-9<]*<)[A-Z0-9<]{20,}/g, '[redacted mrz]'],
  // 12 digits as a 個人番号 is written (grouped 4-4-4 by a space or hyphen, or not)
  [/(?<![0-9A-Za-z])[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])/g, '[redacted 12 digits]'],
];

/** A text with every secret-shaped part replaced. */
export function redactText(s: string): string {
  let out = s;
  for (const [re, by] of SHAPES) out = out.replace(re, by);
  return out;
}

function redactValue(v: string | number | boolean | null | undefined): string | number | boolean | null | undefined {
  if (typeof v === 'string') return redactText(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e11 && Math.abs(v) < 1e12) return REDACTED; // 12 digits
  return v;
}

/** The record as it may be written: secret fields blanked, secret-shaped values replaced. */
export function redactRecord(r: LogRecord): LogRecord {
  const msg = redactText(String(r.msg));
  if (!r.fields) return { level: r.level, msg };
  const fields: LogFields = {};
  for (const [k, v] of Object.entries(r.fields)) {
    const name = redactText(k);
    fields[name] = secretFieldName(k) && v !== undefined && v !== null ? REDACTED : redactValue(v);
  }
  return { level: r.level, msg, fields };
}
