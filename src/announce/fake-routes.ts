// In-memory RoutePort for the engine's tests: a kernel table holding our routes and, to prove they
// are never touched, routes of other protocols. Operations can be made to fail or to wait.
import type { AnnounceRoute, InstallResult, RemoveResult, RoutePort } from './route-port.js';

export interface FakeRouteEntry extends AnnounceRoute { protocol: 'ours' | 'foreign' }

export class FakeRoutes implements RoutePort {
  readonly entries: FakeRouteEntry[] = [];
  /** Every call in order, e.g. "install 10.0.0.1/32 t100 m0". */
  readonly log: string[] = [];
  /** When set, the next operations throw this error (and are logged with "!"). */
  failWith: Error | undefined;

  private key = (r: AnnounceRoute) => `${r.prefix} t${r.table} m${r.metric}`;
  private find(r: AnnounceRoute, protocol: 'ours' | 'foreign'): number {
    return this.entries.findIndex((e) => e.protocol === protocol && e.prefix === r.prefix && e.table === r.table && e.metric === r.metric);
  }

  /** Routes of ours present in `table`, as "prefix m<metric>", sorted. */
  ours(table?: number): string[] {
    return this.entries.filter((e) => e.protocol === 'ours' && (table === undefined || e.table === table))
      .map((e) => `${e.prefix} m${e.metric}`).sort();
  }

  async install(r: AnnounceRoute): Promise<InstallResult> {
    this.check(`install ${this.key(r)}`);
    if (this.find(r, 'ours') >= 0) return 'already-present';
    this.entries.push({ ...r, protocol: 'ours' });
    return 'installed';
  }

  async remove(r: AnnounceRoute): Promise<RemoveResult> {
    this.check(`remove ${this.key(r)}`);
    const i = this.find(r, 'ours');
    if (i < 0) return 'not-present';
    this.entries.splice(i, 1);
    return 'removed';
  }

  async list(table: number): Promise<AnnounceRoute[]> {
    this.check(`list t${table}`);
    return this.entries.filter((e) => e.protocol === 'ours' && e.table === table).map(({ prefix, metric }) => ({ prefix, table, metric }));
  }

  private check(what: string): void {
    if (this.failWith) { this.log.push(`!${what}`); throw this.failWith; }
    this.log.push(what);
  }
}
