// Whether every thread of this process already runs SCHED_RR at a priority, read from
// /proc/self/task/*/stat (proc(5): fields 40 rt_priority and 41 policy). A service manager that
// sets the policy before exec (systemd's CPUSchedulingPolicy=rr) leaves the daemon nothing to do,
// and so no chrt to spawn: node's child_process brings net and streams with it, ~1.4 MB of node's
// code the idle daemon would page in for good (bench/README.md, "idle daemon", seventh pass).
import { readdirSync, readFileSync } from 'node:fs';

export const SCHED_RR = 2;

/** policy and rt_priority from one /proc/PID/stat line (the command name may hold spaces and parentheses). */
export function schedFromStat(line: string): { policy: number; priority: number } | undefined {
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field n is f[n - 3].
  const priority = Number(f[37]), policy = Number(f[38]);
  return Number.isInteger(priority) && Number.isInteger(policy) ? { policy, priority } : undefined;
}

export function allThreadsRoundRobin(priority: number, taskDir = '/proc/self/task'): boolean {
  try {
    return readdirSync(taskDir).every((t) => {
      const s = schedFromStat(readFileSync(`${taskDir}/${t}/stat`, 'utf8'));
      return s?.policy === SCHED_RR && s.priority === priority;
    });
  } catch { return false; }
}
