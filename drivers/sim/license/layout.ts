// The virtual licence's card layout as data, written from the public sources (docs/reference/license.md §2–§10),
// not imported from the reader (daemon/documents/license): a wrong assumption made once in the reader must
// not be repeated here by construction. Sources:
//  - file map, sizes, AIDs: soft-studio/NFC_DriversLicenseReader DriversLicenseReader.java (DF1EF1length …
//    DF2EF1length, commnadDF01/DF02), watanabetoshinori/DriverLicenseApp TKSmartCard+DriverLicense.swift
//    (readBinary(length: 880 / 82 / 640 / 256)), treastrain/TRETJapanNFCReader (DF3 AID);
//  - DF1/EF01 tags 11–33, 本籍 41, 外字 48/49, 追記の有無 50: soft-studio parse_tag();
//  - 11 = one binary byte: takusan23/JDCardReaderCore JDCardReaderCore.kt ("%02x".format(byteArrayList[0].last()));
//  - classes not held = (era)000000: JDCardReaderCore toJISX0201DateString();
//  - one change per TLV, value = edition byte ‖ 7 JIS X 0208 date characters ‖ text ‖ 5 JIS X 0208
//    characters (公安委員会): DriverLicenseApp TLVRecord+DriverLicense.swift historyValue, ViewController.swift
//    displayHistoryData (records from index 1 on, after 追記の有無);
//  - photo 5F40 + JPEG 2000 codestream: soft-studio parse_tag_picture().
// What no public source gives (the kind tag of each change, the EF07 layout, EF05's glyph tags, MF/EF02's
// tag) is marked OUR CHOICE; the reader must not depend on the sim agreeing with it.

export const AID = {
  df1: Buffer.from('A0000002310100000000000000000000', 'hex'),
  df2: Buffer.from('A0000002310200000000000000000000', 'hex'),
  df3: Buffer.from('A0000002480300000000000000000000', 'hex'),
} as const;

/** File identifiers and the sizes the public readers read (soft-studio DF1EFnlength). */
export const FILES = {
  mf: {
    common: { fid: 0x2f01, size: 17 },
    pinSetting: { fid: 0x000a, size: 3 },
    pin1: { fid: 0x0001 },
    pin2: { fid: 0x0002 },
  },
  df1: {
    matters: { fid: 0x0001, size: 880 },
    honseki: { fid: 0x0002, size: 82 },
    gaiji: { fid: 0x0003, size: 264 },
    changes: { fid: 0x0004, size: 640 },
    changedGaiji: { fid: 0x0005, size: 663 },
    honsekiChanges: { fid: 0x0006, size: 256 },
    signature: { fid: 0x0007, size: 578 },
  },
  df2: { photo: { fid: 0x0001 } },
} as const;

export const PIN_MAX_TRIES = 3;

/** DF1/EF01 tags in file order (soft-studio parse_tag; 33 準中型 from JDCardReaderCore's 35 fields). */
export type MatterEncoding = 'byte' | 'jis0208' | 'jis0201' | 'era-date' | 'class-date';
export const MATTER_TAGS: readonly { tag: number; field: string; enc: MatterEncoding }[] = [
  { tag: 0x11, field: 'jisX0208Edition', enc: 'byte' },
  { tag: 0x12, field: 'name', enc: 'jis0208' },
  { tag: 0x13, field: 'nameKana', enc: 'jis0208' },
  { tag: 0x14, field: 'commonName', enc: 'jis0208' },
  { tag: 0x15, field: 'unifiedNameKana', enc: 'jis0208' },
  { tag: 0x16, field: 'birthDate', enc: 'era-date' },
  { tag: 0x17, field: 'address', enc: 'jis0208' },
  { tag: 0x18, field: 'issueDate', enc: 'era-date' },
  { tag: 0x19, field: 'referenceNumber', enc: 'jis0201' },
  { tag: 0x1a, field: 'colorClass', enc: 'jis0208' },
  { tag: 0x1b, field: 'expiryDate', enc: 'era-date' },
  { tag: 0x1c, field: 'condition1', enc: 'jis0208' },
  { tag: 0x1d, field: 'condition2', enc: 'jis0208' },
  { tag: 0x1e, field: 'condition3', enc: 'jis0208' },
  { tag: 0x1f, field: 'condition4', enc: 'jis0208' },
  { tag: 0x20, field: 'issuingCommission', enc: 'jis0208' },
  { tag: 0x21, field: 'licenseNumber', enc: 'jis0201' },
  ...(
    [
      'nishogen',
      'other',
      'class2',
      'large',
      'ordinary',
      'largeSpecial',
      'largeMotorcycle',
      'ordinaryMotorcycle',
      'smallSpecial',
      'moped',
      'trailer',
      'large2',
      'ordinary2',
      'largeSpecial2',
      'trailer2',
      'medium',
      'medium2',
      'semiMedium',
    ] as const
  ).map((field, i) => ({ tag: 0x22 + i, field, enc: 'class-date' as const })),
];

export const HONSEKI_TAG = 0x41;
/** DF1/EF03: 外字1 = 48, 外字2 = 49 (soft-studio parse_tag). */
export const GAIJI_TAGS = [0x48, 0x49] as const;
/** EF05's glyph tags are not public: OUR CHOICE (4A–4E continue 48/49). */
export const CHANGED_GAIJI_TAGS = [0x4a, 0x4b, 0x4c, 0x4d, 0x4e] as const;
/** 追記の有無 (soft-studio parse_tag case 0x50): 00 none, 01 present. */
export const APPENDED_TAG = 0x50;
/** The kind tag of a change record is not public: OUR CHOICE, the order of the published field list. */
export const CHANGE_KIND_TAGS = {
  newName: 0x51,
  newNameKana: 0x52,
  newAddress: 0x53,
  newCondition: 0x54,
  conditionLifted: 0x55,
  remark: 0x56,
  reserved: 0x57,
  newHonseki: 0x51, // EF06 holds only 本籍 changes
} as const;
export type ChangeKindName = keyof typeof CHANGE_KIND_TAGS;
/** MF/EF02's tag is not public: OUR CHOICE. */
export const PIN_SETTING_TAG = 0xc1;
export const PHOTO_TAG = 0x5f40;
