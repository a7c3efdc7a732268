// The logging seam the drivers use. The daemon passes its own logger; drivers only ever log codes, counts
// and hardware facts (GPIO numbers, device paths, status bits) — never a key value or a name.

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Collects log lines in memory (tests, and the leak-detector checks). */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; msg: string; fields?: LogFields }[] = [];
  debug(msg: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', msg, fields });
  }
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.msg} ${l.fields ? JSON.stringify(l.fields) : ''}`).join('\n');
  }
}
