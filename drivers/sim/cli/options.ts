// The option checks the virtual cards' subcommands share (`idkiosk sim <card>`), on top of
// core/cli-options.ts: the vpcd address, synthetic PINs and tries counters. Messages are the bare
// USAGE text (no "see --help" suffix), as every sim subcommand has always printed them.
import { intOption, usageError } from '../../../core/cli-options.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { parseHostPort } from './run-card.ts';

export const simUsage = usageError();

/** --vpcd HOST:PORT (default the vpcd default address). */
export function vpcdAddress(v: string | undefined): { host: string; port: number } {
  const addr = parseHostPort(v, { host: VPCD_DEFAULT_HOST, port: VPCD_DEFAULT_PORT });
  if (!addr) throw simUsage('--vpcd must be HOST:PORT');
  return addr;
}

/** A synthetic 4-digit PIN option (undefined when absent). */
export function fourDigits(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && !/^[0-9]{4}$/.test(v)) throw simUsage(`${name} must be 4 digits`);
  return v;
}

/** A tries-left counter 0..max (0 = locked); undefined when absent. */
export const triesOption = (v: string | undefined, name: string, max: number): number | undefined =>
  intOption(v, name, 0, max, simUsage, `${name} must be 0..${max}`);
