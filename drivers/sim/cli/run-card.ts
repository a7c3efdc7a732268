// Runs one virtual card against vpcd until stopped: the shared loop behind every `idkiosk sim <card>`.
// Card removal/re-insertion is driven by stdin lines (`remove`, `insert`, `quit`) and by signals
// (SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop). Status goes to stderr; APDU traces, when
// asked for, come from the card's redacted log, so a PIN never reaches the terminal.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CliIO } from '../../../daemon/cli/command.ts';
import { describeEntry, type ApduLog } from '../iso7816/apdu-log.ts';
import type { VirtualCard } from '../virtual-card.ts';
import { VpcdClient } from '../vpcd-client.ts';

export interface RunCardOptions {
  host: string;
  port: number;
  /** e.g. "virtual My Number card (JPKI-AP)" */
  label: string;
  io: CliIO;
  /** Line-oriented control input (default process.stdin). */
  input?: Readable;
  /** The card's APDU log, to print a redacted trace line per APDU. */
  trace?: ApduLog;
}

const ATR = (b: Buffer) => b.toString('hex').toUpperCase().replace(/(..)(?=.)/g, '$1 ');

export async function runVirtualCard(card: VirtualCard, o: RunCardOptions): Promise<number> {
  const say = (s: string) => o.io.stderr(`sim: ${s}\n`);
  const client = new VpcdClient(card, { host: o.host, port: o.port, connectTimeoutMs: 0, retryMaxMs: 1000 });
  say(`${o.label}, ATR ${ATR(card.atr)}, vpcd ${o.host}:${o.port}`);
  client.on('connected', () => say('card inserted (connected to vpcd)'));
  client.on('disconnected', (reason) => {
    if (reason === 'vpcd-closed') say('vpcd closed the connection (pcscd stopped?); reconnecting');
    else if (reason === 'removed') say('card removed');
  });
  client.on('socket-error', (e) => say(`connection error: ${e.message}`));
  if (o.trace) {
    const log = o.trace;
    client.on('apdu', () => {
      const last = log.entries[log.entries.length - 1];
      if (last) say(`apdu ${describeEntry(last)}`);
    });
  }

  const insert = () => {
    if (client.connected) return say('card is already inserted');
    say('inserting card (waiting for vpcd)');
    client.insert().catch((e: Error) => say(`insert abandoned: ${e.message}`));
  };
  const remove = () => {
    if (!client.connected) say('card is not inserted');
    void client.remove();
  };

  return new Promise<number>((resolve) => {
    const input = o.input ?? process.stdin;
    const rl = createInterface({ input, terminal: false });
    const stop = async (why: string) => {
      process.off('SIGUSR1', remove);
      process.off('SIGUSR2', insert);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      rl.close();
      await client.close();
      say(`stopped (${why}) after ${client.apduCount} APDUs`);
      resolve(0);
    };
    const onInt = () => void stop('SIGINT');
    const onTerm = () => void stop('SIGTERM');
    rl.on('line', (line) => {
      const cmd = line.trim().toLowerCase();
      if (cmd === 'remove') remove();
      else if (cmd === 'insert') insert();
      else if (cmd === 'quit' || cmd === 'exit') void stop('quit');
      else if (cmd !== '') say(`unknown input '${cmd.slice(0, 20)}': type remove, insert or quit`);
    });
    // stdin closing (e.g. /dev/null under systemd) does not stop the card; signals and `quit` do.
    process.on('SIGUSR1', remove);
    process.on('SIGUSR2', insert);
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    insert();
  });
}

/** Parse HOST:PORT (or just PORT / HOST) for --vpcd. */
export function parseHostPort(s: string | undefined, defaults: { host: string; port: number }): { host: string; port: number } | null {
  if (s === undefined) return defaults;
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(s) ?? /^([^:]+)$/.exec(s);
  if (!m) return null;
  if (m.length === 2) return { host: m[1]!, port: defaults.port };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: (m[1] ?? defaults.host).replace(/^\[|\]$/g, ''), port };
}
