// The real ProbeFactory: checker type -> probe. It owns what probes share (the one ICMP pinger,
// created on the first PING_CHECK) and closes it with the daemon. Built by src/app/compose.ts, and
// loaded only when the configuration has a director: undici alone is ~20 MiB of RSS.
import type { Checker } from '../config/model.js';
import type { FileReader } from '../ports/files.js';
import type { ScriptRunner, ScriptSecurity } from '../ports/script-runner.js';
import type { Probe, ProbeContext, ProbeFactory } from './checker.js';
import { failingProbe } from './failing-probe.js';
import { dnsProbe } from './dns.js';
import { fileProbe } from './file.js';
import { grpcProbe } from './grpc.js';
import { httpProbe } from './http.js';
import { IcmpPinger, type Pinger } from './icmp-pinger.js';
import { miscProbe } from './misc.js';
import { pingProbe } from './ping.js';
import { smtpProbe } from './smtp.js';
import { tcpProbe } from './tcp.js';
import { udpProbe } from './udp.js';

export interface ProbeFactoryDeps {
  scripts: ScriptRunner;
  files: FileReader;
  /** enable_script_security for MISC_CHECK scripts. */
  security?: ScriptSecurity;
  /** The shared pinger (tests pass a fake); default: raw ICMP sockets on first use. */
  pinger?: () => Pinger;
}

export interface Probes {
  factory: ProbeFactory;
  close(): void;
}

export function createProbes(deps: ProbeFactoryDeps): Probes {
  let pinger: Pinger | undefined;
  const sharedPinger = (): Pinger => (pinger ??= (deps.pinger ?? (() => new IcmpPinger()))());
  const factory: ProbeFactory = (check: Checker, ctx: ProbeContext): Probe => {
    try {
      switch (check.type) {
        case 'TCP_CHECK': return tcpProbe(check, ctx);
        case 'HTTP_GET': case 'SSL_GET': return httpProbe(check, ctx);
        case 'PING_CHECK': return pingProbe(check, ctx, sharedPinger());
        case 'MISC_CHECK': return miscProbe(check, ctx, deps.scripts, deps.security);
        case 'UDP_CHECK': return udpProbe(check, ctx);
        case 'DNS_CHECK': return dnsProbe(check, ctx);
        case 'SMTP_CHECK': return smtpProbe(check, ctx);
        case 'FILE_CHECK': return fileProbe(check, ctx, deps.files);
        case 'GRPC_CHECK': return grpcProbe(check, ctx);
      }
    } catch (e) {
      // A probe that cannot even be built (bad regex, no socket) fails every run with the reason.
      return failingProbe(`${check.type} cannot run: ${e instanceof Error ? e.message : String(e)}`);
    }
    return failingProbe(`no probe for ${(check as { type: string }).type}`);
  };
  return { factory, close: () => { pinger?.close(); pinger = undefined; } };
}

export { failingProbe };
