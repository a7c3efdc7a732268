// `idkiosk printer …`: test page and status of the receipt printer (serial, or the virtual printer).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flags, HELP_OPTION, intOption, oneOf, parseCommandLine, strings, subcommandOrHelp } from '../../../core/cli-options.ts';
import type { Command } from '../command.ts';
import { createPrinter, DEFAULT_PRINTER_CONFIG, DEFAULT_SERIAL_CONFIG, type PrinterConfig } from '../../../drivers/printer/create.ts';
import type { Printer } from '../../../drivers/printer/printer.ts';
import type { SerialConfig } from '../../../drivers/printer/serial-transport.ts';
import { testPage } from '../../../drivers/printer/test-page.ts';
import { VirtualPrinter } from '../../../drivers/sim/printer/virtual-printer.ts';
import { renderSvg } from '../../../drivers/sim/printer/svg.ts';
import { transcript } from '../../../drivers/sim/printer/document.ts';

const HELP = `idkiosk printer — receipt printer (ESC/POS over serial)

Usage:
  idkiosk printer test-page [--port PATH] [line options] [--qr native|raster] [--columns N]
      Print the test page (character sets incl. kanji, sizes, alignment, ruler, QR) and wait for the
      printer to confirm it (GS r). Exit 0 confirmed, 1 failed (code and reason on stderr).
  idkiosk printer status [--port PATH] [line options] [--json]
      Connect, query DLE EOT 1–4 / ASB and print the state: ready, paper-near-end, paper-end,
      cover-open, error, offline, disconnected. Exit 0 usable, 1 not usable.

  --virtual [--svg FILE]   use the built-in virtual printer instead of a port (writes the page as SVG)

Line options (must match the printer's DIP/memory switches):
  --port PATH        serial device (default ${DEFAULT_SERIAL_CONFIG.path})
  --baud N           default ${DEFAULT_SERIAL_CONFIG.baudRate}
  --parity P         none | even | odd (default none)
  --flow F           rtscts | xonxoff | none (default rtscts)
  --timeout MS       how long to wait for recovery/confirmation (default 20000)
  -h, --help         this text
`;

const command: Command = {
  name: 'printer',
  help: HELP,
  async run(argv, io) {
    const { values, positionals, usage } = parseCommandLine(
      argv,
      { ...strings('port', 'baud', 'parity', 'flow', 'qr', 'columns', 'timeout', 'svg'), ...flags('json', 'virtual'), ...HELP_OPTION },
      { command: 'printer', positionals: true },
    );
    const sub = subcommandOrHelp(io, HELP, values.help, positionals[0]);
    if (typeof sub === 'number') return sub;
    if (sub !== 'test-page' && sub !== 'status') throw usage(`unknown subcommand '${sub}'`);
    const timeout = values.timeout ? Number(values.timeout) : 20_000;
    const defaults = DEFAULT_SERIAL_CONFIG;
    const serial: SerialConfig = {
      ...defaults,
      ...(values.port ? { path: values.port } : {}),
      baudRate: intOption(values.baud, '--baud', 1, Number.MAX_SAFE_INTEGER, usage, '--baud must be a positive integer') ?? defaults.baudRate,
      parity: oneOf(values.parity, ['none', 'even', 'odd'], usage, '--parity must be none, even or odd') ?? defaults.parity,
      flowControl: oneOf(values.flow, ['none', 'rtscts', 'xonxoff'], usage, '--flow must be rtscts, xonxoff or none') ?? defaults.flowControl,
    };
    const qr = oneOf(values.qr, ['native', 'raster'], usage, '--qr must be native or raster') ?? 'native';
    const columns = values.columns ? Number(values.columns) : 48;
    const virtual = values.virtual ? new VirtualPrinter() : null;
    const cfg: PrinterConfig = {
      ...DEFAULT_PRINTER_CONFIG,
      transport: virtual ? 'memory' : 'serial',
      serial,
      qr,
      columns,
      confirmTimeoutMs: Math.min(timeout, 15_000),
      recoveryTimeoutMs: timeout,
      maxAttempts: 2,
      pollMs: 60_000,
    };
    const printer: Printer = createPrinter(cfg, { peer: virtual ?? undefined });
    await printer.start();
    try {
      if (sub === 'status') {
        const h = printer.health();
        if (values.json) io.stdout(JSON.stringify(h) + '\n');
        else io.stdout(`${h.transport}: ${h.state}${h.usable ? ' (usable)' : ' (NOT usable)'}\n`);
        return h.usable ? 0 : 1;
      }
      const page = testPage(new Date(), { transport: printer.health().transport, columns, qr });
      io.stderr(`printing test page on ${printer.health().transport} (state ${printer.state()})…\n`);
      const out = await printer.print(page).done;
      if (virtual) {
        const r = virtual.lastReceipt();
        if (r) {
          const file = resolve(values.svg ?? '.test-artifacts/printer/test-page.svg');
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, renderSvg(r));
          io.stdout(transcript(r));
          io.stderr(`SVG written to ${file}\n`);
        }
      }
      if (values.json) io.stdout(JSON.stringify(out) + '\n');
      if (out.status === 'confirmed') {
        io.stderr(`confirmed (attempts ${out.attempts}${out.substituted ? `, ${out.substituted} characters substituted` : ''})\n`);
        return 0;
      }
      io.stderr(`failed: ${out.code}: ${out.reason}\n`);
      return 1;
    } finally {
      await printer.stop();
    }
  },
};
export default command;
