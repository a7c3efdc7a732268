// The screen's side of the WebSocket protocol (daemon/server/protocol.ts is the daemon's): it validates
// every server message before rendering, so a malformed or foreign frame is dropped rather than drawn.
// Plain ES module without DOM access, so the daemon's unit tests run its messages through this validator.
export const PROTOCOL_VERSION = 2;

/** The phases of the daemon's session (KioskState.phase); the screen draws each. */
export const PHASES = ['starting', 'reader-unavailable', 'idle', 'reading', 'secret-entry', 'verifying', 'result', 'remove-card'];
// The verdict model (daemon/result/result-view.ts OUTCOMES, AUTHENTICITIES, HOLDER_BINDINGS; a unit test
// keeps both sides equal). 'chip-read' is its own outcome, never drawn as verified.
export const OUTCOMES = ['verified', 'chip-read', 'refused', 'error', 'cancelled'];
export const AUTHENTICITIES = ['proven', 'chip-read', 'failed'];
export const HOLDER_BINDINGS = ['pin', 'password', 'printed-number-only', 'mrz-only', 'none'];
const BLOCKERS = ['maintenance', 'printer'];

const isObj = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x) => typeof x === 'string';
const isInt = (x) => Number.isInteger(x);
const strList = (x) => Array.isArray(x) && x.every(isStr);
const optInt = (x) => x === null || x === undefined || isInt(x);

function validEntry(e) {
  if (e === null) return true;
  return (
    isObj(e) &&
    isStr(e.purpose) &&
    isObj(e.format) &&
    (e.format.kind === 'digits' || e.format.kind === 'alnum') &&
    isInt(e.format.min) &&
    isInt(e.format.max) &&
    isInt(e.length) &&
    e.length >= 0 &&
    e.length <= e.format.max &&
    optInt(e.triesLeft) &&
    optInt(e.maxTries) &&
    typeof e.previousAttemptWrong === 'boolean' &&
    strList(e.padIds) &&
    // a form mixing letters and digits (passport) has letter tokens on its digit fields too
    (e.padIds.length === 36 || (e.format.kind !== 'alnum' && e.padIds.length === 10)) &&
    e.padIds.every((id) => /^[a-z]{6}$/.test(id)) &&
    (e.candidate === null || (isStr(e.candidate) && /^[A-Z0-9]$/.test(e.candidate))) &&
    (e.candidateIndex === null || (isInt(e.candidateIndex) && e.candidateIndex >= 0 && e.candidateIndex <= 4)) &&
    // typed: printed numbers only (the daemon never sends a PIN's characters); as many as the length says
    (e.typed === null || e.typed === undefined || (isStr(e.typed) && /^[A-Z0-9]*$/.test(e.typed) && e.typed.length === e.length)) &&
    (e.expiring === undefined || typeof e.expiring === 'boolean') &&
    (e.tooShort === undefined || typeof e.tooShort === 'boolean') &&
    validForm(e.form)
  );
}

const FIELD_PROBLEMS = ['charset', 'length', 'date', 'expiry-before-birth', 'card-number'];

/** Several printed numbers asked together (daemon/kiosk/entry-fields.ts FormView); absent or null otherwise. */
function validForm(f) {
  if (f === null || f === undefined) return true;
  return (
    isObj(f) &&
    Array.isArray(f.fields) &&
    f.fields.length > 0 &&
    f.fields.length <= 8 &&
    f.fields.every(
      (x) =>
        isObj(x) &&
        isStr(x.purpose) &&
        isObj(x.format) &&
        isStr(x.value) &&
        /^[A-Z0-9]*$/.test(x.value) &&
        (x.problem === null || FIELD_PROBLEMS.includes(x.problem)),
    ) &&
    isInt(f.index) &&
    f.index >= 0 &&
    f.index < f.fields.length &&
    typeof f.review === 'boolean' &&
    (f.fromReview === undefined || typeof f.fromReview === 'boolean') &&
    (f.mismatch === null || (isObj(f.mismatch) && isInt(f.mismatch.attempt) && isInt(f.mismatch.max))) &&
    isStr(f.today)
  );
}

const optOneOf = (x, list) => x === null || x === undefined || list.includes(x);
const optStrMap = (x) => x === undefined || (isObj(x) && Object.values(x).every(isStr));

function validResult(r) {
  if (r === null) return true;
  return (
    isObj(r) &&
    OUTCOMES.includes(r.outcome) &&
    optOneOf(r.authenticity, AUTHENTICITIES) &&
    optOneOf(r.holderBinding, HOLDER_BINDINGS) &&
    optStrMap(r.checks) &&
    (r.document === null || isStr(r.document)) &&
    strList(r.reasons) &&
    optInt(r.triesLeft)
  );
}

export function validState(s) {
  return (
    isObj(s) &&
    PHASES.includes(s.phase) &&
    isInt(s.session) &&
    typeof s.readerAvailable === 'boolean' &&
    typeof s.cardPresent === 'boolean' &&
    (s.step === null || isStr(s.step)) &&
    validEntry(s.entry) &&
    validResult(s.result) &&
    Array.isArray(s.blockedBy) &&
    s.blockedBy.every((b) => BLOCKERS.includes(b)) &&
    (s.request === null || (isObj(s.request) && isStr(s.request.id) && strList(s.request.documents))) &&
    (s.cardLeft === undefined || (isInt(s.cardLeft) && s.cardLeft >= 0)) &&
    (s.phase !== 'secret-entry' || s.entry !== null) &&
    (s.phase !== 'result' || s.result !== null)
  );
}

function validDevices(d) {
  if (!isObj(d)) return false;
  const p = d.printer;
  const k = d.keypad;
  const r = d.receipt;
  return (
    (p === null || (isObj(p) && isStr(p.state) && typeof p.usable === 'boolean' && typeof p.required === 'boolean')) &&
    (k === null || (isObj(k) && isStr(k.backend) && isStr(k.status))) &&
    (r === null ||
      (isObj(r) &&
        isInt(r.session) &&
        isStr(r.reference) &&
        ['printing', 'held', 'confirmed', 'failed'].includes(r.state) &&
        (r.code === null || isStr(r.code))))
  );
}

/** hello.demoSession: null outside demo mode, else the current mode/policy and the choices. */
function validDemoSession(d) {
  if (d === null) return true;
  return isObj(d) && strList(d.modes) && strList(d.policies) && isStr(d.mode) && (d.policy === null || isStr(d.policy));
}

/**
 * Parses one frame from the daemon. Returns the message, `{ type: 'version-mismatch', v }` when the daemon
 * speaks another protocol version (the page reloads to get the matching client), or null when invalid.
 */
export function parseServerMessage(text) {
  if (typeof text !== 'string' || text.length > 2_000_000) return null;
  let m;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(m)) return null;
  if (m.v !== PROTOCOL_VERSION) return isInt(m.v) ? { type: 'version-mismatch', v: m.v } : null;
  switch (m.type) {
    case 'hello':
      return isStr(m.kioskId) &&
        isStr(m.version) &&
        typeof m.demo === 'boolean' &&
        strList(m.demoCards) &&
        strList(m.demoFaults) &&
        validDemoSession(m.demoSession) &&
        strList(m.documents) &&
        strList(m.sounds)
        ? m
        : null;
    case 'state':
      return validState(m.state) ? m : null;
    case 'devices':
      return validDevices(m.devices) ? m : null;
    case 'alert':
      return isStr(m.kind) && /^[a-z-]{1,32}$/.test(m.kind) && (m.level === undefined || (isInt(m.level) && m.level >= 1)) ? m : null;
    case 'error':
      return isStr(m.code) && isStr(m.message) ? m : null;
    default:
      return null;
  }
}
