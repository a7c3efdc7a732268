#!/usr/bin/env node
// The idkiosk command. It runs the production bundle dist/idkiosk.mjs when `npm run build` made one from
// the sources as they are now (scripts/install-deps.sh builds it), and otherwise the TypeScript sources
// through tsx — the same code either way, never a stale build. IDKIOSK_FROM_SOURCE=1 forces the sources.
//
// On a kiosk tsx is never used: the Debian package ships the bundle without the TypeScript sources and
// without tsx, and the services set NODE_ENV=production. There a missing or stale bundle is an error
// with a message, not a silent switch to a compiler that is not installed (docs/packaging.md).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleChoice } from './fresh-bundle.js';

const choice = bundleChoice(fileURLToPath(new URL('..', import.meta.url)), process.env);
if (choice.run === 'bundle') {
  await import(pathToFileURL(choice.bundle).href);
} else if (choice.run === 'refuse') {
  process.stderr.write(`idkiosk: ${choice.reason}\n`);
  process.exit(2);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const main = new URL('../daemon/cli/main.ts', import.meta.url);
  if (!existsSync(main)) throw new Error(`idkiosk: ${fileURLToPath(main)} missing`);
  await import(main.href);
}
