// A tiny typed event hub. `on` returns an unsubscribe function, and listeners can be registered under an
// owner key so a component that stops removes all of its listeners at once (nothing leaks across a
// reader reconnect or a session restart).
//
// Containment: a listener that throws is reported (to every handler registered with onListenerFault,
// which the daemon wires to its log and health) and the other listeners still run. It used to be
// rethrown in a microtask, where nothing caught it: one faulty listener stopped the whole process.

/** What a throwing listener is reported as: names and codes only (the error may carry anything). */
export interface ListenerFault {
  event: string;
  owner: string | null;
  errorName: string;
  errorCode: string | null;
}

const faultHandlers = new Set<(f: ListenerFault) => void>();
let faultCount = 0;

/** Registers a handler for listener faults (log, health); returns its unregister function. */
export function onListenerFault(fn: (f: ListenerFault) => void): () => void {
  faultHandlers.add(fn);
  return () => faultHandlers.delete(fn);
}

/** Listener faults since the process started (health reports it). */
export function listenerFaultCount(): number {
  return faultCount;
}

function describeFault(event: PropertyKey, owner: string | undefined, err: unknown): ListenerFault {
  const e = typeof err === 'object' && err !== null ? (err as { name?: unknown; code?: unknown }) : {};
  return {
    event: String(event),
    owner: owner ?? null,
    errorName: typeof e.name === 'string' ? e.name.slice(0, 64) : typeof err,
    errorCode: typeof e.code === 'string' ? e.code.slice(0, 64) : null,
  };
}

function reportFault(f: ListenerFault): void {
  faultCount++;
  if (faultHandlers.size === 0) {
    // Nobody wired a reporter (a CLI command, a test): still say so, but never throw from here.
    process.emitWarning(`listener for '${f.event}'${f.owner ? ` (${f.owner})` : ''} threw ${f.errorName}`, 'ListenerFault');
    return;
  }
  for (const h of faultHandlers) {
    try {
      h(f);
    } catch {
      // A failing reporter must not turn a contained fault into an uncontained one.
    }
  }
}

export class TypedEvents<M extends object> {
  private listeners = new Map<keyof M, Set<{ fn: (e: never) => void; owner?: string }>>();

  on<K extends keyof M>(event: K, fn: (e: M[K]) => void, owner?: string): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = { fn: fn as (e: never) => void, owner };
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Remove every listener registered under `owner`. */
  offOwner(owner: string): void {
    for (const set of this.listeners.values()) for (const l of set) if (l.owner === owner) set.delete(l);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        const r: unknown = (l.fn as (e: M[K]) => unknown)(payload);
        // An async listener's rejection is the same fault, later.
        if (r instanceof Promise) r.catch((err: unknown) => reportFault(describeFault(event, l.owner, err)));
      } catch (err) {
        // A faulty listener must not break the hardware event pump nor the process: report and continue.
        reportFault(describeFault(event, l.owner, err));
      }
    }
  }
}
