// Per-document screen texts. A document module adds its file here.
import license from './license.js';

export const DOCUMENT_TEXTS = [license];
