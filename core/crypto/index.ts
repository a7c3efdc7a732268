// Shared symmetric crypto for card protocols (residence card, ICAO eMRTD): raw block-cipher modes,
// ISO/IEC 9797-1 padding, the retail MAC and AES-CMAC. Asymmetric work (RSA/ECDSA verify, ECDH) uses
// node:crypto directly. None of these functions log or keep key material.
export {
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesEcbEncrypt,
  desCbcEncrypt,
  desEcbDecrypt,
  desEcbEncrypt,
  tdesCbcDecrypt,
  tdesCbcEncrypt,
  tdesEcbEncrypt,
} from './block-cipher.ts';
export { AesCmac, aesCmac, cmacSubkeys } from './aes-cmac.ts';
export { CbcContext } from './cbc-context.ts';
export { RetailMac, retailMac } from './retail-mac.ts';
export { padIso9797M2, unpadIso9797M2, xor } from './padding.ts';
