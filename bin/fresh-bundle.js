// Is the production bundle (dist/idkiosk.mjs, built by `npm run build`) present and built from the
// sources as they are now? bin/idkiosk.js runs it when it is, and the TypeScript sources through tsx when
// it is not — so an edited checkout never runs stale code, and a built one starts without tsx (faster
// start-up, ~40 MB less memory). See docs/packaging.md.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} root package root (the directory holding dist/)
 * @returns {string | undefined} absolute path of the bundle when it may be run, else undefined
 */
export function freshBundle(root) {
  if (process.env.IDKIOSK_FROM_SOURCE === '1') return undefined;
  const bundle = join(root, 'dist', 'idkiosk.mjs');
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'dist', 'idkiosk.build.json'), 'utf8'));
    const builtAt = Number(manifest.builtAt);
    if (!Number.isFinite(builtAt) || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return undefined;
    if (statSync(bundle).mtimeMs < builtAt) return undefined; // a manifest newer than its bundle: mid-build
    // a source touched at or after the build started may not be in the bundle (a deleted one throws)
    for (const f of manifest.inputs) if (statSync(join(root, f)).mtimeMs >= builtAt) return undefined;
    return bundle;
  } catch {
    return undefined;
  }
}
