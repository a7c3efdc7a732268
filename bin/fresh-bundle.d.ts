/** Absolute path of dist/idkiosk.mjs when it is built from the sources as they are now, else undefined. */
export function freshBundle(root: string): string | undefined;
