// Is the production bundle (dist/idkiosk.mjs and the build directory it imports, built by `npm run
// build`) present and built from the sources as they are now? bin/idkiosk.js runs it when it is, and the TypeScript sources through tsx when
// it is not — so an edited checkout never runs stale code, and a built one starts without tsx (faster
// start-up, ~40 MB less memory). See docs/packaging.md.
import { existsSync, readFileSync, statSync } from 'node:fs';
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
    // dist/idkiosk.mjs is a stub importing its build directory (entry + chunks): that must be there too
    const dir = /^import '\.\/(bundle-[0-9a-z-]+)\/idkiosk\.mjs';$/m.exec(readFileSync(bundle, 'utf8'))?.[1];
    if (!dir || !existsSync(join(root, 'dist', dir, 'idkiosk.mjs'))) return undefined;
    // a source touched at or after the build started may not be in the bundle (a deleted one throws)
    for (const f of manifest.inputs) if (statSync(join(root, f)).mtimeMs >= builtAt) return undefined;
    return bundle;
  } catch {
    return undefined;
  }
}

/**
 * What bin/idkiosk.js runs. An installed package (a bundle and no TypeScript sources) always runs its
 * bundle; NODE_ENV=production (the systemd units) never falls back to tsx, it refuses with the reason;
 * a checkout runs the bundle when fresh and the sources otherwise.
 * @param {string} root package root
 * @param {Record<string, string | undefined>} env
 * @returns {{ run: 'bundle', bundle: string } | { run: 'sources' } | { run: 'refuse', reason: string }}
 */
export function bundleChoice(root, env) {
  const bundle = join(root, 'dist', 'idkiosk.mjs');
  const hasSources = existsSync(join(root, 'daemon', 'cli', 'main.ts'));
  if (!hasSources) {
    return existsSync(bundle)
      ? { run: 'bundle', bundle }
      : { run: 'refuse', reason: `${bundle} is missing and there are no sources to run (reinstall the idkiosk package)` };
  }
  const fresh = freshBundle(root);
  if (fresh) return { run: 'bundle', bundle: fresh };
  if (env.NODE_ENV === 'production') {
    return {
      run: 'refuse',
      reason: `NODE_ENV=production and ${bundle} is ${existsSync(bundle) ? 'older than the sources' : 'missing'}: run \`npm run build\` (a kiosk never compiles TypeScript at start)`,
    };
  }
  return { run: 'sources' };
}
