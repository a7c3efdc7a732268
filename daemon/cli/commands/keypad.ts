// `idkiosk keypad test`: the technician's keypad check — shows each key as it is pressed and reports
// stuck keys. It prints key values on purpose (that is the test); the daemon never does.
import { HELP_OPTION, oneOf, parseCommandLine, strings } from '../../../core/cli-options.ts';
import type { Command } from '../command.ts';
import { createKeypad, DEFAULT_EVDEV_CONFIG, DEFAULT_ONOFF_CONFIG, layoutFor, type KeypadConfig } from '../../../drivers/keypad/create.ts';
import { SimulatedKeypad, terminalKey } from '../../../drivers/keypad/simulated.ts';
import { OnoffKeypad } from '../../../drivers/keypad/onoff.ts';
import type { Keypad } from '../../../drivers/keypad/types.ts';

const HELP = `idkiosk keypad — PIN pad check

Usage:
  idkiosk keypad test [--backend evdev|onoff|simulated] [--pad 4x3|4x4] [options]
      Shows each key as it is pressed (and released), reports stuck keys, and ends with a summary of
      the keys seen. Runs until Ctrl-C, --seconds, or --count presses. Do not run it while a customer
      is entering a PIN: it displays key values.

Options:
  --backend B       evdev (default), onoff (sysfs matrix scan) or simulated (this terminal / stdin)
  --pad P           4x3 (default) or 4x4
  --device PATH     evdev node (default ${DEFAULT_EVDEV_CONFIG.device})
  --rows LIST       onoff row pins, BCM numbers (default ${DEFAULT_ONOFF_CONFIG.rowPins.join(',')})
  --cols LIST       onoff column pins (default ${DEFAULT_ONOFF_CONFIG.colPins.join(',')}; 4x4 adds 21)
  --sysfs-root DIR  sysfs GPIO root for onoff (default /sys/class/gpio)
  --stuck-ms N      a key held this long is reported stuck (default 5000)
  --seconds N       stop after N seconds
  --count N         stop after N key presses
  -h, --help        this text
`;

const pins = (s: string) => s.split(',').map((x) => Number.parseInt(x, 10));

const command: Command = {
  name: 'keypad',
  help: HELP,
  async run(argv, io) {
    const { values, positionals, usage } = parseCommandLine(
      argv,
      { ...strings('backend', 'pad', 'device', 'rows', 'cols', 'sysfs-root', 'stuck-ms', 'seconds', 'count'), ...HELP_OPTION },
      { command: 'keypad', positionals: true },
    );
    if (values.help || positionals[0] !== 'test') {
      io.stdout(HELP);
      return values.help ? 0 : 2;
    }
    const backend = oneOf(values.backend, ['evdev', 'onoff', 'simulated'], usage, '--backend must be evdev, onoff or simulated') ?? 'evdev';
    const pad = oneOf(values.pad, ['4x3', '4x4'], usage, '--pad must be 4x3 or 4x4') ?? '4x3';
    const stuckMs = values['stuck-ms'] ? Number(values['stuck-ms']) : 5000;
    const onoff = {
      rowPins: values.rows ? pins(values.rows) : DEFAULT_ONOFF_CONFIG.rowPins,
      colPins: values.cols ? pins(values.cols) : pad === '4x4' ? [12, 16, 20, 21] : DEFAULT_ONOFF_CONFIG.colPins,
      sysfsRoot: values['sysfs-root'],
    };
    const cfg: KeypadConfig = { backend, pad, stuckMs, evdev: { device: values.device ?? DEFAULT_EVDEV_CONFIG.device }, onoff };
    const keypad: Keypad =
      backend === 'onoff' && values['sysfs-root']
        ? // a non-default root is a test tree: plain file reads (onoff only works on the real sysfs)
          new OnoffKeypad({ ...onoff, layout: layoutFor(pad), stuckMs, lines: 'sysfs-files' })
        : createKeypad(cfg);
    const seen = new Map<string, number>();
    let presses = 0;
    const maxCount = values.count ? Number(values.count) : Infinity;
    let finish: () => void = () => {};
    const finished = new Promise<void>((r) => (finish = r));
    keypad.on(
      'key',
      (e) => {
        io.stdout(`${e.action === 'down' ? 'pressed ' : 'released'} ${e.key}\n`);
        if (e.action === 'down') {
          seen.set(e.key, (seen.get(e.key) ?? 0) + 1);
          if (++presses >= maxCount) finish();
        }
      },
      'cli',
    );
    keypad.on('stuck', (s) => io.stdout(`STUCK   row ${s.row} col ${s.col}\n`), 'cli');
    keypad.on('unstuck', (s) => io.stdout(`freed   row ${s.row} col ${s.col}\n`), 'cli');
    let everReady = false;
    keypad.on(
      'status',
      (s) => {
        everReady ||= s.status === 'ready';
        io.stderr(`keypad ${s.status}${s.reason ? ` (${s.reason})` : ''}\n`);
      },
      'cli',
    );
    await keypad.start();
    everReady ||= keypad.status() === 'ready';
    const onSig = () => finish();
    process.once('SIGINT', onSig);
    const timer = values.seconds ? setTimeout(finish, Number(values.seconds) * 1000) : null;
    if (keypad instanceof SimulatedKeypad) {
      if (process.stdin.isTTY) {
        io.stderr('type keys (0-9 * # a-d, Enter = #, Backspace = *), Ctrl-C to end\n');
        keypad.attachTerminal(process.stdin, finish);
      } else {
        for (const ch of await io.readStdin()) {
          const k = terminalKey(ch);
          if (k) keypad.press(k);
        }
        finish();
      }
    } else io.stderr(`press every key once; Ctrl-C to end\n`);
    await finished;
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSig);
    const stuck = keypad.stuckKeys();
    await keypad.stop();
    keypad.removeOwner('cli');
    const all = layoutFor(pad).flat();
    const missing = all.filter((k) => !seen.has(k));
    io.stdout(
      `summary: ${presses} presses; not pressed: ${missing.length ? missing.join(' ') : 'none'}; stuck: ${stuck.length ? stuck.map((s) => `r${s.row}c${s.col}`).join(' ') : 'none'}\n`,
    );
    if (!everReady) {
      io.stderr(`keypad never became ready (${backend})\n`);
      return 1;
    }
    return stuck.length ? 1 : 0;
  },
};
export default command;
