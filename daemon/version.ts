import { readFileSync } from 'node:fs';

/** The package version, shown on /healthz, in audit records and in the UI's hello. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
