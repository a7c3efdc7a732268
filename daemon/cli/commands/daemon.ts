// `idkiosk daemon`: runs the kiosk until SIGINT/SIGTERM. Under --demo it fills the demo's
// VirtualCardSource with the virtual card set (daemon/ itself never imports the card emulators).
import { parseArgs } from 'node:util';
import { startKiosk } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import { consoleLogger, type LogLevel } from '../../../core/log.ts';
import { installProcessGuards } from '../../process-guard.ts';
import { screenBindHost } from '../../server/bind-address.ts';
import { onListenerFault } from '../../../drivers/typed-events.ts';
import { VERSION } from '../../version.ts';
import type { Command } from '../command.ts';

const help = `Usage: idkiosk daemon [--config FILE] [--simulated] [--demo] [--port N] [--host ADDR]

Runs the kiosk daemon: reader, session state machine and the kiosk screen (HTTP + WebSocket).

Options:
  --config FILE   configuration file (JSON; see README "Configuration")
  --simulated     simulated hardware wherever the configuration names no real device
  --demo          demo mode: simulated reader with a demo panel on the screen to place virtual
                  My Number cards (PIN 1234); trusts a synthetic CA generated at start
  --port N        override server.port (0 = any free port)
  --host ADDR     override server.host (default 127.0.0.1)
  -h, --help      this help
`;

/** The screen URL without its query (the token). */
export function screenAddress(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.href;
}

const command: Command = {
  name: 'daemon',
  help,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        simulated: { type: 'boolean', default: false },
        demo: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
      },
      strict: true,
    });
    const config = loadConfig(values.config);
    if (values.port !== undefined) config.server.port = Number.parseInt(values.port, 10);
    if (values.host !== undefined) config.server.host = screenBindHost(values.host, '--host');
    const log = consoleLogger({ format: process.env.IDKIOSK_LOG_FORMAT === 'json' ? 'json' : 'line', level: logLevel(process.env.IDKIOSK_LOG_LEVEL) });
    const offFaults = onListenerFault((f) =>
      log.error(`listener for '${f.event}'${f.owner ? ` (${f.owner})` : ''} threw ${f.errorName}${f.errorCode ? ` ${f.errorCode}` : ''}; contained`),
    );
    // The card emulators (and their EC and ASN.1 packages) load only for --demo: a production start never needs them.
    const demo = values.demo ? new (await import('../../../drivers/sim/demo/demo-card-set.ts')).DemoCardSet() : null;
    const kiosk = await startKiosk({ config, simulated: values.simulated, demo, version: VERSION, log });
    const removeGuards = installProcessGuards({ log, stop: () => kiosk.stop() });
    // The screen token is a secret: never in a log line (stdout is the journal under systemd). The
    // browser gets it from server.tokenFile (LoadCredential=), the demo by a redirect from `/`; only an
    // interactive terminal without either is shown the tokenised URL.
    const screen = screenAddress(kiosk.server.url);
    const how = config.server.tokenFile ? ` (token in ${config.server.tokenFile})` : values.demo ? '' : ' (token: not logged)';
    log(`kiosk screen: ${screen}${how}`);
    const showToken = !config.server.tokenFile && !values.demo && process.stdout.isTTY === true;
    io.stdout(`idkiosk ${VERSION} running${values.demo ? ' (demo)' : ''}\n  screen: ${showToken ? kiosk.server.url : `${screen}${how}`}\n`);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    log('stopping');
    await kiosk.stop();
    removeGuards();
    offFaults();
    return 0;
  },
};
export default command;

/** IDKIOSK_LOG_LEVEL: debug, info (default), warn or error. */
function logLevel(v: string | undefined): LogLevel {
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info';
}
