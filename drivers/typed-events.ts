// A tiny typed event hub. `on` returns an unsubscribe function, and listeners can be registered under an
// owner key so a component that stops removes all of its listeners at once (nothing leaks across a
// reader reconnect or a session restart).

export class TypedEvents<M extends object> {
  private listeners = new Map<keyof M, Set<{ fn: (e: never) => void; owner?: string }>>();

  on<K extends keyof M>(event: K, fn: (e: M[K]) => void, owner?: string): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
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
        (l.fn as (e: M[K]) => void)(payload);
      } catch (err) {
        // A faulty listener must not break the hardware event pump; report and continue.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
