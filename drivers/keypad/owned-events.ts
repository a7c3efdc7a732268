// A typed event bus whose listeners are registered under an owner key (the zigbee2mqtt pattern): when a
// component stops it calls `removeOwner(owner)` once and every listener it added is gone, so nothing leaks
// across restarts of a component. Used by the keypad and printer drivers; small enough to move to a shared
// place when another driver wants it.

export type Listener<T> = (event: T) => void;

interface Entry<M, K extends keyof M> {
  owner: string;
  listener: Listener<M[K]>;
}

export class OwnedEvents<M extends object> {
  private readonly listeners = new Map<keyof M, Entry<M, keyof M>[]>();

  /** Adds a listener; returns a function that removes just this one. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>, owner = 'anonymous'): () => void {
    const list = this.listeners.get(event) ?? [];
    const entry = { owner, listener } as unknown as Entry<M, keyof M>;
    list.push(entry);
    this.listeners.set(event, list);
    return () => {
      const cur = this.listeners.get(event);
      if (!cur) return;
      const i = cur.indexOf(entry);
      if (i >= 0) cur.splice(i, 1);
    };
  }

  /** Removes every listener that `owner` registered, on every event. */
  removeOwner(owner: string): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(
        event,
        list.filter((e) => e.owner !== owner),
      );
    }
  }

  listenerCount(event?: keyof M): number {
    if (event !== undefined) return this.listeners.get(event)?.length ?? 0;
    let n = 0;
    for (const list of this.listeners.values()) n += list.length;
    return n;
  }

  /**
   * Delivers synchronously in registration order. A throwing listener must not starve the others or
   * break the driver's read loop, so its error goes to `onListenerError` instead of propagating.
   */
  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const e of [...list]) {
      try {
        (e.listener as Listener<M[K]>)(payload);
      } catch (err) {
        this.onListenerError(err, String(event), e.owner);
      }
    }
  }

  onListenerError: (err: unknown, event: string, owner: string) => void = () => {};
}
