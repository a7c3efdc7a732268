// Shared plumbing for keypad backends: the owned event bus and the status field.
import { OwnedEvents, type Listener } from './owned-events.ts';
import type { Logger } from '../../core/log.ts';
import type { KeyEvent, Keypad, KeypadEventMap, KeypadStatus } from './types.ts';

export abstract class BaseKeypad implements Keypad {
  abstract readonly backend: KeyEvent['source'];
  protected readonly events = new OwnedEvents<KeypadEventMap>();
  protected current: KeypadStatus = 'stopped';
  protected readonly stuck = new Map<string, { row: number; col: number }>();

  constructor(protected readonly log: Logger) {
    this.events.onListenerError = (_err, event, owner) =>
      // The error object may carry whatever the listener had in scope; log only where it happened.
      this.log.error('keypad listener threw', { event, owner });
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  status(): KeypadStatus {
    return this.current;
  }

  stuckKeys(): { row: number; col: number }[] {
    return [...this.stuck.values()];
  }

  on<K extends keyof KeypadEventMap>(event: K, listener: Listener<KeypadEventMap[K]>, owner?: string): () => void {
    return this.events.on(event, listener, owner);
  }

  removeOwner(owner: string): void {
    this.events.removeOwner(owner);
  }

  protected setStatus(status: KeypadStatus, reason?: string): void {
    if (status === this.current) return;
    this.current = status;
    this.log.info('keypad status', { backend: this.backend, status, reason });
    this.events.emit('status', { status, reason });
  }

  /** The one place key events leave a backend. Logs nothing about the key itself. */
  protected emitKey(ev: KeyEvent): void {
    this.events.emit('key', ev);
  }
}
