// `idkiosk` entry point (bin/idkiosk.js loads this file).
import { processIO } from './command.ts';
import { runCli } from './run.ts';

process.exitCode = await runCli(process.argv.slice(2), processIO);
