// A tracked condition (a vrrp_script, an interface, a file) as the instances see it: a current
// status and change notifications. One source is shared by every instance that tracks it.
export interface TrackStatus {
  ok: boolean;
  /** track_file: the integer the file holds (0 when missing or unreadable). */
  value?: number;
}

export interface TrackSource {
  readonly kind: 'script' | 'interface' | 'file' | 'process';
  readonly name: string;
  status(): TrackStatus;
  onChange(fn: (s: TrackStatus) => void): () => void;
  start(): void;
  stop(): void;
}

/** Subscriber bookkeeping shared by the sources. */
export class Emitter<T> {
  private subs = new Set<(v: T) => void>();
  on(fn: (v: T) => void): () => void { this.subs.add(fn); return () => this.subs.delete(fn); }
  emit(v: T): void { for (const fn of [...this.subs]) fn(v); }
}
