/** Absolute path of dist/idkiosk.mjs when it is built from the sources as they are now, else undefined. */
export function freshBundle(root: string): string | undefined;
/** What bin/idkiosk.js runs: the bundle, the sources through tsx, or nothing (with the reason). */
export function bundleChoice(
  root: string,
  env: Record<string, string | undefined>,
): { run: 'bundle'; bundle: string } | { run: 'sources' } | { run: 'refuse'; reason: string };
