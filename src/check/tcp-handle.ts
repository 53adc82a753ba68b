// A TCP connect without node:net's Socket: node's own TCP handle (the tcp_wrap binding that every
// net.Socket wraps), connected, then closed. A TCP_CHECK never reads or writes, so the Socket's
// stream machinery (a Duplex with two stream states, an event emitter, listeners) is pure cost:
// at 10,000 checks a second it was a sixth of the director's CPU and most of its garbage.
//
// process.binding('tcp_wrap') is on node's allow-list for process.binding (deprecation DEP0111 is
// documentation-only in node 20 and 22). Where it is missing or not shaped as expected, `bareTcp`
// is undefined and the caller uses net.Socket: same handshake, same FIN on close.
import { getSystemErrorName } from 'node:util';

/** The parts of node's TCP handle used here. */
interface TcpHandle {
  connect(req: ConnectReq, address: string, port: number): number;
  connect6(req: ConnectReq, address: string, port: number): number;
  close(): void;
}

interface ConnectReq {
  oncomplete: (status: number, handle: TcpHandle, req: ConnectReq) => void;
  address: string;
  port: number;
  owner: BareOwner | undefined;
}

/** Told once how the connect ended: undefined when connected, else the errno name. */
export interface BareOwner {
  connected(error: string | undefined): void;
}

/** An open attempt; close() closes the socket (a FIN once connected) and cancels a pending connect. */
export interface BareConnection {
  close(): void;
}

export type BareConnect = (address: string, family: 4 | 6, port: number, owner: BareOwner) => BareConnection | string;

interface TcpWrap {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectReq;
  constants: { SOCKET: number };
}

function load(): TcpWrap | undefined {
  try {
    const b = (process as unknown as { binding(name: string): TcpWrap }).binding('tcp_wrap');
    if (typeof b?.TCP !== 'function' || typeof b.TCPConnectWrap !== 'function' || typeof b.constants?.SOCKET !== 'number') return undefined;
    return b;
  } catch {
    return undefined;
  }
}

// One shared completion function: the request carries its owner, so a run makes no closure.
function onComplete(status: number, _handle: TcpHandle, req: ConnectReq): void {
  const owner = req.owner;
  req.owner = undefined;
  owner?.connected(status === 0 ? undefined : errnoName(status));
}

/** A libuv status (a negative errno) by name: "ECONNREFUSED". */
export function errnoName(status: number): string {
  try { return getSystemErrorName(status); } catch { return `errno ${-status}`; }
}

function make(w: TcpWrap): BareConnect {
  return (address, family, port, owner) => {
    const h = new w.TCP(w.constants.SOCKET);
    const req = new w.TCPConnectWrap();
    req.oncomplete = onComplete;
    req.address = address;
    req.port = port;
    req.owner = owner;
    // A synchronous failure (no descriptor, bad address, no route) is returned, never thrown.
    const err = family === 6 ? h.connect6(req, address, port) : h.connect(req, address, port);
    if (err !== 0) { req.owner = undefined; h.close(); return errnoName(err); }
    // Closing while the connect is pending cancels it; the owner is not told (it closed it).
    return { close: () => { req.owner = undefined; h.close(); } };
  };
}

const wrap = load();

/** The bare connect, or undefined where this node has no usable TCP handle binding. */
export const bareTcp: BareConnect | undefined = wrap ? make(wrap) : undefined;
