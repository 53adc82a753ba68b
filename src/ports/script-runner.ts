// Runs an external program with an argument vector (never a shell string), bounded by a timeout
// after which it is killed (SIGTERM, then SIGKILL).
export interface ScriptSpec {
  argv: string[];
  timeoutMs: number;
  /** Run as this user (name or uid) and group; default: the daemon's own. */
  user?: string;
  group?: string;
  env?: Record<string, string>;
}

export interface ScriptResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES, refused by security). */
  error?: string;
}

export interface ScriptRunner {
  run(spec: ScriptSpec): Promise<ScriptResult>;
}

/** Checks that a script may be run (script security): returns a reason to refuse, or undefined. */
export interface ScriptSecurity {
  check(path: string): string | undefined;
}
