// `idkiosk printer …`: test page and status of the receipt printer (serial, or the virtual printer).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { Command } from '../command.ts';
import { createPrinter, DEFAULT_PRINTER_CONFIG, type PrinterConfig } from '../../../drivers/printer/create.ts';
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
  --port PATH        serial device (default ${DEFAULT_PRINTER_CONFIG.serial!.path})
  --baud N           default ${DEFAULT_PRINTER_CONFIG.serial!.baudRate}
  --parity P         none | even | odd (default none)
  --flow F           rtscts | xonxoff | none (default rtscts)
  --timeout MS       how long to wait for recovery/confirmation (default 20000)
  -h, --help         this text
`;

const usage = (m: string) => new KioskError(ErrorCodes.USAGE, `${m} (see idkiosk printer --help)`);

const command: Command = {
  name: 'printer',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        baud: { type: 'string' },
        parity: { type: 'string' },
        flow: { type: 'string' },
        qr: { type: 'string' },
        columns: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        virtual: { type: 'boolean' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const sub = positionals[0];
    if (values.help || !sub) {
      io.stdout(HELP);
      return values.help ? 0 : 2;
    }
    if (sub !== 'test-page' && sub !== 'status') throw usage(`unknown subcommand '${sub}'`);
    const timeout = values.timeout ? Number(values.timeout) : 20_000;
    const serial: SerialConfig = {
      ...DEFAULT_PRINTER_CONFIG.serial!,
      ...(values.port ? { path: values.port } : {}),
      ...(values.baud ? { baudRate: Number(values.baud) } : {}),
      ...(values.parity ? { parity: values.parity as SerialConfig['parity'] } : {}),
      ...(values.flow ? { flowControl: values.flow as SerialConfig['flowControl'] } : {}),
    };
    if (!Number.isInteger(serial.baudRate) || serial.baudRate <= 0) throw usage('--baud must be a positive integer');
    if (!['none', 'even', 'odd'].includes(serial.parity ?? 'none')) throw usage('--parity must be none, even or odd');
    if (!['none', 'rtscts', 'xonxoff'].includes(serial.flowControl ?? 'none')) throw usage('--flow must be rtscts, xonxoff or none');
    if (values.qr && values.qr !== 'native' && values.qr !== 'raster') throw usage('--qr must be native or raster');
    const virtual = values.virtual ? new VirtualPrinter() : null;
    const cfg: PrinterConfig = {
      ...DEFAULT_PRINTER_CONFIG,
      transport: virtual ? 'memory' : 'serial',
      serial,
      qr: (values.qr as PrinterConfig['qr']) ?? 'native',
      columns: values.columns ? Number(values.columns) : 48,
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
      const page = testPage(new Date(), { transport: printer.health().transport, columns: cfg.columns!, qr: cfg.qr! });
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
