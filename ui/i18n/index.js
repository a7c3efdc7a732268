// Per-document screen texts. A document module adds its file here.
export const DOCUMENT_TEXTS = [];
