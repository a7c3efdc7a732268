// Types of ui/protocol.js for the daemon's tests (the screen itself is plain JavaScript, no build step).
export const PROTOCOL_VERSION: 2;
export function validState(s: unknown): boolean;
export function parseServerMessage(text: string): ({ type: string } & Record<string, unknown>) | null;
export const PHASES: string[];
export const OUTCOMES: string[];
export const AUTHENTICITIES: string[];
export const HOLDER_BINDINGS: string[];
