// track_interface: an interface's up/down state from the link watcher. A missing interface is down.
import type { LinkWatcher } from '../ports/links.js';
import { Emitter, type TrackSource, type TrackStatus } from './source.js';

export class InterfaceTracker implements TrackSource {
  readonly kind = 'interface' as const;
  private ok = false;
  private unsub: (() => void) | undefined;
  private events = new Emitter<TrackStatus>();

  constructor(readonly name: string, private links: LinkWatcher) {
    this.ok = links.get(name)?.up ?? false;
  }

  status(): TrackStatus { return { ok: this.ok }; }
  onChange(fn: (s: TrackStatus) => void): () => void { return this.events.on(fn); }

  start(): void {
    if (this.unsub) return;
    this.ok = this.links.get(this.name)?.up ?? false;
    this.unsub = this.links.onChange((l) => {
      if (l.ifname !== this.name || l.up === this.ok) return;
      this.ok = l.up;
      this.events.emit(this.status());
    });
  }

  stop(): void { this.unsub?.(); this.unsub = undefined; }
}
