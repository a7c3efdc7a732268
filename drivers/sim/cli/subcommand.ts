// One `idkiosk sim <card>` subcommand. daemon/cli/commands/sim.ts keeps them in a map, so a new card
// (licence, residence card, passport) is one module and one map entry.
//
// Reader/link options (`--atr contactless`, `--no-extended`, `--max-le N`, `--get-response`, `--wrong-le`,
// `--silent-after N`) are generic: the dispatcher takes them off the command line before the card's own
// options are parsed and runVirtualCard wraps whatever card the subcommand builds (iso7816/link.ts), so
// every document gets every quirk without each card repeating the options.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CliIO } from '../../../core/cli-io.ts';
import { intOption, usageError } from '../../../core/cli-options.ts';
import type { LinkQuirks } from '../iso7816/link.ts';

export interface SimSubcommand {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** How the ATR is to be replaced: a PC/SC Part 3 contactless form built from the card's, or given bytes. */
export type AtrChoice = { kind: 'contactless-a' } | { kind: 'contactless-b' } | { kind: 'bytes'; atr: Buffer };

export interface LinkOptions extends Omit<LinkQuirks, 'atr'> {
  atr?: AtrChoice;
}

export const LINK_OPTIONS_HELP = `
Reader/link options (every virtual card; see docs/readers.md):
  --atr contactless    report the PC/SC Part 3 ATR of a contactless Type A card (3B 8n 80 01 ‖ historical bytes ‖ TCK)
  --atr contactless-b  the Type B form (3B 88 80 01 ‖ 8 bytes from a synthetic ATQB ‖ TCK)
  --atr HEX            report these ATR bytes
  --no-extended        refuse extended-length APDUs with 6700 (reader without extended APDUs)
  --max-le N           answer at most N (1..65536) data bytes per response; a longer answer gets 6700
  --get-response       every answer with data comes as 61xx + GET RESPONSE (T=0 link)
  --wrong-le           a short Le other than the answer's length gets 6Cxx (T=0 case 2)
  --silent-after N     stop answering after N APDUs since power-on (fault: card goes silent mid-session)
`;

const usage = usageError();

/** On/off link options and the quirk each sets. */
const LINK_FLAGS = { '--no-extended': 'noExtended', '--get-response': 'getResponse', '--wrong-le': 'wrongLe' } as const;
/** Counted link options: the quirk and the range of its number. */
const LINK_COUNTS = { '--max-le': ['maxLe', 1, 65536], '--silent-after': ['silentAfter', 0, 100000] } as const;

function atrChoice(v: string | undefined): AtrChoice {
  if (v === 'contactless' || v === 'contactless-a') return { kind: 'contactless-a' };
  if (v === 'contactless-b') return { kind: 'contactless-b' };
  if (v !== undefined && /^([0-9a-fA-F]{2}[ :]?){2,33}$/.test(v)) return { kind: 'bytes', atr: Buffer.from(v.replace(/[ :]/g, ''), 'hex') };
  throw usage('--atr must be contactless, contactless-b or the ATR in hex (2..33 bytes)');
}

/** Takes the link options off `argv`; the rest goes to the card's own parser. */
export function extractLinkOptions(argv: readonly string[]): { link: LinkOptions; rest: string[] } {
  const link: LinkOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    if (name === '--atr') link.atr = atrChoice(value());
    else if (Object.hasOwn(LINK_FLAGS, name)) link[LINK_FLAGS[name as keyof typeof LINK_FLAGS]] = true;
    else if (Object.hasOwn(LINK_COUNTS, name)) {
      const [key, min, max] = LINK_COUNTS[name as keyof typeof LINK_COUNTS];
      link[key] = intOption(value() ?? '', name, min, max, usage, `${name} needs a number ${min}..${max}`);
    } else rest.push(arg);
  }
  return { link, rest };
}

const current = new AsyncLocalStorage<LinkOptions>();

/** Runs a card subcommand with the link options of its command line in force for runVirtualCard. */
export function runSimSubcommand(sub: SimSubcommand, argv: readonly string[], io: CliIO): Promise<number> {
  const { link, rest } = extractLinkOptions(argv);
  return current.run(link, () => sub.run(rest, io));
}

/** The link options of the running subcommand (empty outside runSimSubcommand). */
export function currentLinkOptions(): LinkOptions {
  return current.getStore() ?? {};
}
