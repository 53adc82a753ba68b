// Runs scripts with child_process.spawn: an argument vector, no shell, its own process group (so a
// timeout kills the script and everything it started), the configured uid/gid, and stdio ignored.
import { statSync } from 'node:fs';
import { childProcess } from '../lib/child-process.js';
import type { ScriptResult, ScriptRunner, ScriptSecurity, ScriptSpec } from '../ports/script-runner.js';
import { unsafeReason } from '../notify/security.js';
import { groupId, userIds } from './users.js';

export class ChildScriptRunner implements ScriptRunner {
  /** Kill functions of the scripts still running (their process groups). */
  private live = new Set<() => void>();

  /**
   * Kills every script still running. Scripts run detached in their own process group, so on
   * exit the daemon must end them itself or a hung one outlives its timeout.
   */
  killAll(): void { for (const kill of [...this.live]) kill(); }

  run(spec: ScriptSpec): Promise<ScriptResult> {
    return new Promise((resolve) => {
      const ids = this.ids(spec);
      if ('error' in ids) { resolve({ code: null, signal: null, timedOut: false, error: ids.error }); return; }
      let timedOut = false;
      let child;
      try {
        child = childProcess().spawn(spec.argv[0]!, spec.argv.slice(1), {
          stdio: 'ignore', detached: true, ...ids,
          env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
        });
      } catch (e) {
        resolve({ code: null, signal: null, timedOut: false, error: (e as Error).message });
        return;
      }
      const kill = (): void => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); } };
      const timer = setTimeout(() => { timedOut = true; kill(); }, Math.max(1, spec.timeoutMs));
      this.live.add(kill);
      child.once('error', (e) => { clearTimeout(timer); this.live.delete(kill); resolve({ code: null, signal: null, timedOut: false, error: e.message }); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.live.delete(kill);
        // Children the script left behind in its group do not outlive a timeout either.
        if (timedOut) kill();
        resolve({ code, signal, timedOut });
      });
    });
  }

  private ids(spec: ScriptSpec): { uid?: number; gid?: number } | { error: string } {
    if (!spec.user) return {};
    const u = userIds(spec.user);
    if (!u) return { error: `unknown user ${spec.user}` };
    const gid = spec.group ? groupId(spec.group) : u.gid;
    if (gid === undefined) return { error: `unknown group ${spec.group}` };
    if (process.getuid?.() !== 0 && u.uid === process.getuid?.()) return {};
    return { uid: u.uid, gid };
  }
}

/** Script security over the real file system (enable_script_security). */
export function fsScriptSecurity(runAsUid = 0): ScriptSecurity {
  return {
    check: (path) => unsafeReason(path, {
      runAsUid,
      stat: (p) => { try { return statSync(p); } catch { return undefined; } },
    }),
  };
}
