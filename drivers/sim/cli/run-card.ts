// Runs one virtual card against vpcd until stopped: the shared loop behind every `idkiosk sim <card>`.
// Card removal/re-insertion is driven by stdin lines (`remove`, `insert`, `quit`) and by signals
// (SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop). Status goes to stderr; APDU traces, when
// asked for, come from the card's redacted log, so a PIN never reaches the terminal.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CliIO } from '../../../core/cli-io.ts';
import { describeEntry, type ApduLog } from '../iso7816/apdu-log.ts';
import { contactlessAtr, historicalBytes, withLink, type LinkQuirks } from '../iso7816/link.ts';
import type { VirtualCard } from '../virtual-card.ts';
import { VpcdClient } from '../vpcd-client.ts';
import { currentLinkOptions, type LinkOptions } from './subcommand.ts';

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
  /** Reader/link quirks; default: those of the `idkiosk sim` command line (subcommand.ts). */
  link?: LinkOptions;
}

/**
 * Type B ATR fields (PC/SC Part 3: ATQB application data ‖ protocol info ‖ MBLI|CID). Synthetic: application
 * data 00000000; protocol info 00 (106 kbit/s only) 81 (max frame 256 bytes, ISO 14443-4) 71 (FWI 7, FO: CID).
 */
const TYPE_B_FIELDS = Buffer.from('00000000008171' + '00', 'hex');

/** The link quirks for a card: the ATR choice resolved against the card's own ATR. */
export function resolveLink(card: VirtualCard, o: LinkOptions): LinkQuirks {
  const { atr, ...rest } = o;
  if (!atr) return rest;
  const bytes = atr.kind === 'bytes' ? atr.atr : atr.kind === 'contactless-a' ? contactlessAtr(historicalBytes(card.atr)) : contactlessAtr(TYPE_B_FIELDS);
  return { ...rest, atr: bytes };
}

function describeLink(q: LinkQuirks): string[] {
  const out: string[] = [];
  if (q.atr) out.push(`ATR replaced (${ATR(q.atr)})`);
  if (q.noExtended) out.push('no extended APDUs');
  if (q.maxLe !== undefined) out.push(`at most ${q.maxLe} bytes per response`);
  if (q.getResponse) out.push('61xx + GET RESPONSE');
  if (q.wrongLe) out.push('6Cxx on a wrong Le');
  if (q.silentAfter !== undefined) out.push(`FAULT silent after ${q.silentAfter} APDUs`);
  return out;
}

const ATR = (b: Buffer) =>
  b
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1 ');

export async function runVirtualCard(inner: VirtualCard, o: RunCardOptions): Promise<number> {
  const say = (s: string) => o.io.stderr(`sim: ${s}\n`);
  const link = resolveLink(inner, o.link ?? currentLinkOptions());
  const card = withLink(inner, link);
  const notes = describeLink(link);
  if (notes.length > 0) say(`link: ${notes.join('; ')}`);
  const client = new VpcdClient(card, { host: o.host, port: o.port, connectTimeoutMs: 0, retryMaxMs: 1000 });
  say(`${o.label}, ATR ${ATR(card.atr)}, vpcd ${o.host}:${o.port}`);
  client.on('connected', () => say('card inserted (connected to vpcd)'));
  client.on('disconnected', (reason) => {
    if (reason === 'vpcd-closed') say('vpcd closed the connection (pcscd stopped?); reconnecting');
    else if (reason === 'removed') say('card removed');
  });
  client.on('socket-error', (e) => say(`connection error: ${e.message}`));
  client.on('unanswered', () => say('card is silent: APDU left unanswered'));
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
  if (m.length === 2) return { host: m[1] ?? defaults.host, port: defaults.port };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: (m[1] ?? defaults.host).replace(/^\[|\]$/g, ''), port };
}
