#!/usr/bin/env node
// The idkiosk command. It runs the production bundle dist/idkiosk.mjs when `npm run build` made one from
// the sources as they are now (scripts/install-deps.sh builds it), and otherwise the TypeScript sources
// through tsx — the same code either way, never a stale build. IDKIOSK_FROM_SOURCE=1 forces the sources.
// Services may also run `node dist/idkiosk.mjs` directly (docs/packaging.md).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from './fresh-bundle.js';

const bundle = freshBundle(fileURLToPath(new URL('..', import.meta.url)));
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../daemon/cli/main.ts');
}
