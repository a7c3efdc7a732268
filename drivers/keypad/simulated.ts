// Simulated backend: driven by the UI's on-screen keypad (the server calls press()) and by a terminal
// (attachTerminal). Used by the demo and by tests.
import { BaseKeypad } from './base.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import { isKeyName, KeyEvent, type KeyName } from './types.ts';

/** Terminal keys that stand in for pad keys: digits, * and # as themselves, a–d for A–D, Enter for #, Backspace for *. */
export function terminalKey(ch: string): KeyName | null {
  if (ch === '\r' || ch === '\n') return '#';
  if (ch === '\x7f' || ch === '\b') return '*';
  const up = ch.toUpperCase();
  return isKeyName(up) ? up : null;
}

export class SimulatedKeypad extends BaseKeypad {
  readonly backend = 'simulated' as const;
  private detachers: (() => void)[] = [];

  constructor(private readonly opts: { allowed?: readonly KeyName[]; now?: () => number; log?: Logger } = {}) {
    super(opts.log ?? nullLogger);
  }

  async start(): Promise<void> {
    this.setStatus('ready');
  }

  /** A full press (down then up). Keys the configured pad does not have are refused. */
  press(key: KeyName): void {
    if (this.current !== 'ready') return;
    if (this.opts.allowed && !this.opts.allowed.includes(key)) return;
    const at = (this.opts.now ?? (() => performance.now()))();
    this.emitKey(new KeyEvent(key, 'down', at, 'simulated'));
    this.emitKey(new KeyEvent(key, 'up', at, 'simulated'));
  }

  /** Reads raw keystrokes from a TTY; returns a detach function. Ctrl-C is passed to onInterrupt. */
  attachTerminal(input: NodeJS.ReadStream, onInterrupt: () => void): () => void {
    const wasRaw = input.isTTY ? input.isRaw : false;
    if (input.isTTY) input.setRawMode(true);
    input.resume();
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\x03') return onInterrupt();
        const k = terminalKey(ch);
        if (k) this.press(k);
      }
    };
    input.on('data', onData);
    const detach = () => {
      input.off('data', onData);
      if (input.isTTY) input.setRawMode(wasRaw);
      input.pause();
    };
    this.detachers.push(detach);
    return detach;
  }

  async stop(): Promise<void> {
    for (const d of this.detachers.splice(0)) d();
    this.setStatus('stopped');
  }
}
