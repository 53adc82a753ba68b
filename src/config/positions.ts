// Where each input value came from: JSON-pointer path -> file:line:col. A position is needed only
// when a diagnostic is reported, and a valid 10,000-server file has none, so the store is built to
// cost little up front: a reader may hand over a builder that runs on the first lookup (the YAML
// fast path and the keepalived.conf reader re-read the text then, recording every position), and
// positions that follow from others (a checker's inherited timers, defaults taken from another
// value) are derived at lookup time instead of being copied for every value.

export interface SourcePos { file: string; line: number; col: number }

/** What the checks need of a position store; a plain Map<string, SourcePos> is one. */
export interface SourceMap {
  get(path: string): SourcePos | undefined;
  set(path: string, pos: SourcePos): unknown;
  has(path: string): boolean;
}

/** The paths whose position `path` takes when it has none of its own, first found wins. */
export type Fallback = (path: string) => readonly string[] | undefined;

export class Positions implements SourceMap {
  private map: SourceMap | undefined;
  private readonly fallbacks: Fallback[] = [];
  /** path -> the paths it takes its position from, in the order given (see alias). */
  private aliases: Map<string, string[]> | undefined;
  /** `build`, when given, fills the store on the first lookup. */
  constructor(private build?: () => SourceMap) {}

  private own(): SourceMap {
    if (!this.map) {
      this.map = this.build?.() ?? new Map();
      this.build = undefined;
    }
    return this.map;
  }
  get(path: string): SourcePos | undefined {
    return this.own().get(path) ?? (this.aliases || this.fallbacks.length > 0 ? this.derived(path) : undefined);
  }
  has(path: string): boolean { return this.get(path) !== undefined; }
  set(path: string, pos: SourcePos): this { this.own().set(path, pos); return this; }
  /**
   * `path`, when it has no position of its own, takes `from`'s (a value defaulted from another).
   * Recorded, not looked up: looking up now would build a lazy store for nothing.
   */
  alias(path: string, from: string): void {
    this.aliases ??= new Map();
    const list = this.aliases.get(path);
    if (list) list.push(from); else this.aliases.set(path, [from]);
  }
  /** The paths with a position of their own (builds a lazy store; for tests and tools). */
  ownPaths(): string[] {
    const own = this.own();
    return own instanceof Positions ? own.ownPaths() : own instanceof Map ? [...own.keys()] : [];
  }
  /** Registers a rule once (registering the same function again does nothing). */
  addFallback(f: Fallback): void { if (!this.fallbacks.includes(f)) this.fallbacks.push(f); }

  private derived(path: string): SourcePos | undefined {
    for (const p of this.aliases?.get(path) ?? []) {
      const pos = this.get(p);
      if (pos) return pos;
    }
    for (const f of this.fallbacks) {
      for (const p of f(path) ?? []) {
        const pos = this.get(p);
        if (pos) return pos;
      }
    }
    return undefined;
  }
}
