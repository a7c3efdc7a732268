// Line logger for the daemon (stdout → journald). Lines carry error codes and facts, never secrets: no
// PIN, password, card number, My Number, name, address or birth date is ever passed to it.
export type Logger = (line: string) => void;

export function consoleLogger(prefix = 'idkiosk'): Logger {
  return (line) => process.stdout.write(`${new Date().toISOString()} ${prefix}: ${line}\n`);
}

export const silentLogger: Logger = () => {};
