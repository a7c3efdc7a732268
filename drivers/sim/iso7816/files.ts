// The card's file system model: a tree of dedicated files (MF, applications selected by AID) holding
// elementary files. Besides transparent EFs, PIN objects and private keys live in EFs too, because the
// Japanese cards select them by FID before VERIFY / COMPUTE SIGNATURE (docs/reference/mynumber.md §3, §4).
import type { KeyObject } from 'node:crypto';
import type { PinObject } from './pin.ts';

/** Who may use a file: everybody, nobody, or whoever has verified one of the given PINs in this session. */
export type AccessRule = { kind: 'always' } | { kind: 'never' } | { kind: 'pin'; pins: PinObject[] };

export const ALWAYS: AccessRule = { kind: 'always' };
export const NEVER: AccessRule = { kind: 'never' };
export const afterVerify = (...pins: PinObject[]): AccessRule => ({ kind: 'pin', pins });

export interface TransparentEf {
  kind: 'transparent';
  fid: number;
  /** Short EF identifier (1..30) for READ BINARY with P1 = 80|SFI. */
  sfi?: number;
  data: Buffer;
  read: AccessRule;
}

export interface PinEf {
  kind: 'pin';
  fid: number;
  /** Reference number for VERIFY P2 = 80|ref (a DF-specific reference) besides P2 = 80 on the selected EF. */
  ref?: number;
  pin: PinObject;
}

export interface KeyEf {
  kind: 'key';
  fid: number;
  /** RSA private key; never leaves the card. */
  key: KeyObject;
  use: AccessRule;
}

export type ElementaryFile = TransparentEf | PinEf | KeyEf;

export interface DedicatedFile {
  kind: 'df';
  /** Human label for logs ("MF", "JPKI-AP"). */
  label: string;
  fid?: number;
  aid?: Buffer;
  parent: DedicatedFile | null;
  children: Array<DedicatedFile | ElementaryFile>;
}

export const MF_FID = 0x3f00;

export function createMf(): DedicatedFile {
  return { kind: 'df', label: 'MF', fid: MF_FID, parent: null, children: [] };
}

export function addDf(parent: DedicatedFile, opts: { label: string; aid?: Buffer; fid?: number }): DedicatedFile {
  const df: DedicatedFile = { kind: 'df', label: opts.label, aid: opts.aid, fid: opts.fid, parent, children: [] };
  parent.children.push(df);
  return df;
}

export function addEf<T extends ElementaryFile>(parent: DedicatedFile, ef: T): T {
  if (parent.children.some((c) => c.fid === ef.fid)) throw new Error(`duplicate FID ${ef.fid.toString(16)} in ${parent.label}`);
  parent.children.push(ef);
  return ef;
}

export function childByFid(df: DedicatedFile, fid: number): DedicatedFile | ElementaryFile | undefined {
  return df.children.find((c) => c.fid === fid);
}

export function efBySfi(df: DedicatedFile, sfi: number): TransparentEf | undefined {
  return df.children.find((c): c is TransparentEf => c.kind === 'transparent' && c.sfi === sfi);
}

export function pinByRef(df: DedicatedFile, ref: number): PinEf | undefined {
  return df.children.find((c): c is PinEf => c.kind === 'pin' && c.ref === ref);
}

/** Depth-first search for an application by exact AID. */
export function findByAid(root: DedicatedFile, aid: Buffer): DedicatedFile | undefined {
  for (const c of root.children) {
    if (c.kind !== 'df') continue;
    if (c.aid?.equals(aid)) return c;
    const deeper = findByAid(c, aid);
    if (deeper) return deeper;
  }
  return undefined;
}
