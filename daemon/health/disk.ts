// Free space on the file system holding the kiosk's state (audit trail, CRL store).
import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DiskStatus {
  path: string;
  freeBytes: number;
  totalBytes: number;
  ok: boolean;
}

export function diskStatus(path: string, minFreeMb: number): DiskStatus {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  const s = statfsSync(p);
  const free = s.bavail * s.bsize;
  return { path: p, freeBytes: free, totalBytes: s.blocks * s.bsize, ok: free >= minFreeMb * 1024 * 1024 };
}
