// track_file: the file holds an integer that is multiplied by the instance's weight. Polled (every
// second by default) rather than watched, so files replaced by rename are seen as well.
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { FileReader } from '../ports/files.js';
import { Emitter, type TrackSource, type TrackStatus } from './source.js';

export function parseTrackFile(text: string | undefined): number {
  if (text === undefined) return 0;
  // keepalived reads the file with strtol(buf, NULL, 0): decimal, 0x hex or leading-0 octal.
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
  if (!m) return 0;
  const d = m[2]!;
  const v = /^0[xX]/.test(d) ? parseInt(d.slice(2), 16) : d.length > 1 && d[0] === '0' ? parseInt(d, 8) : Number(d);
  return m[1] === '-' ? -v : v;
}

export class FileTracker implements TrackSource {
  readonly kind = 'file' as const;
  private value: number;
  private timer: TimerHandle | undefined;
  private events = new Emitter<TrackStatus>();

  constructor(readonly name: string, private path: string, private deps: { clock: Clock; files: FileReader; pollMs?: number }) {
    this.value = parseTrackFile(deps.files.read(path));
  }

  status(): TrackStatus { return { ok: this.value === 0, value: this.value }; }
  onChange(fn: (s: TrackStatus) => void): () => void { return this.events.on(fn); }

  start(): void { if (!this.timer) this.poll(); }
  stop(): void { if (this.timer) this.deps.clock.clearTimer(this.timer); this.timer = undefined; }

  private poll(): void {
    const v = parseTrackFile(this.deps.files.read(this.path));
    if (v !== this.value) { this.value = v; this.events.emit(this.status()); }
    this.timer = this.deps.clock.setTimer(this.deps.pollMs ?? 1000, () => this.poll());
  }
}
