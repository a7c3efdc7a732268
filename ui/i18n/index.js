// Per-document screen texts. A document module adds its file here.
import mynumber from './mynumber.js';
import license from './license.js';
import passport from './passport.js';
import residence from './residence.js';

export const DOCUMENT_TEXTS = [mynumber, license, residence, passport];
