// Virtual IC 運転免許証: public surface.
import { syntheticHolder, type SyntheticHolderOptions } from './holder.ts';
import { LicenseCard, type LicenseCardOptions } from './license-card.ts';

export { LicenseCard, LICENSE_ATR, type LicenseCardOptions } from './license-card.ts';
export {
  syntheticHolder,
  jstDate,
  SYNTHETIC_NEW_ADDRESS,
  SYNTHETIC_NEW_NAME,
  type LicenseHolder,
  type LicenseChange,
  type SyntheticHolderOptions,
} from './holder.ts';
export { PIN_MAX_TRIES as LICENSE_SIM_PIN_MAX_TRIES } from './layout.ts';
export { createLicenseSigningKey } from './signer.ts';
export { GLYPH_TAKA_LADDER, GLYPH_TAKA_LADDER_ROWS, packGlyph } from './glyphs.ts';

/** Synthetic test PINs used when none are given (documented, test-only). */
export const DEFAULT_TEST_PIN1 = '1234';
export const DEFAULT_TEST_PIN2 = '5678';

export type VirtualLicenseOptions = Omit<LicenseCardOptions, 'holder' | 'pins'> & SyntheticHolderOptions & { pins?: LicenseCardOptions['pins'] };

export function createVirtualLicense(o: VirtualLicenseOptions = {}): LicenseCard {
  return new LicenseCard({ ...o, holder: syntheticHolder(o), pins: o.pins ?? { pin1: DEFAULT_TEST_PIN1, pin2: DEFAULT_TEST_PIN2 } });
}
