// grpc.health.v1 on the wire, by hand: HealthCheckRequest {string service = 1} and
// HealthCheckResponse {ServingStatus status = 1}, plus gRPC's length-prefixed message framing.
// Two one-field messages do not justify a protobuf runtime; the encoding rules used are those of
// protobuf's wire format (varints, wire types 0/1/2/5) and gRPC's PROTOCOL-HTTP2.md framing.

/** grpc.health.v1.HealthCheckResponse.ServingStatus */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export const SERVING = 1;

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GRPC_STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** "NOT_SERVING", or "status 7" for a value the enum does not (yet) name. */
export function servingStatusName(n: number): string { return SERVING_STATUS[n] ?? `status ${n}`; }

/** "12 UNIMPLEMENTED", or just "42" for a code outside the table. */
export function grpcStatusText(code: number): string {
  const name = GRPC_STATUS[code];
  return name ? `${code} ${name}` : `${code}`;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------- protobuf

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

/** Reads a varint at `at`; values above 2^53 lose precision but are only ever skipped or range-checked. */
function readVarint(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length && i < at + 10; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
  }
  return undefined;
}

/** HealthCheckRequest. proto3 leaves a default (empty) string off the wire, so "" encodes to 0 bytes. */
export function encodeHealthCheckRequest(service: string): Uint8Array {
  if (service === '') return new Uint8Array(0);
  const s = new TextEncoder().encode(service);
  return Uint8Array.from([0x0a, ...varint(s.length), ...s]); // field 1, wire type 2
}

/** The service name of a HealthCheckRequest (for test servers); unknown fields are skipped. */
export function decodeHealthCheckRequest(b: Uint8Array): Decoded<string> {
  let service = '';
  const r = walkFields(b, (field, wire, value) => {
    if (field !== 1) return undefined;
    if (wire !== 2 || !(value instanceof Uint8Array)) return 'field 1 (service) is not length-delimited';
    service = new TextDecoder('utf-8', { fatal: false }).decode(value);
    return undefined;
  });
  return r ?? { ok: true, value: service };
}

export function encodeHealthCheckResponse(status: number): Uint8Array {
  return status === 0 ? new Uint8Array(0) : Uint8Array.from([0x08, ...varint(status)]); // field 1, varint
}

/** The ServingStatus of a HealthCheckResponse; absent means UNKNOWN (0), the proto3 default. */
export function decodeHealthCheckResponse(b: Uint8Array): Decoded<number> {
  let status = 0;
  const r = walkFields(b, (field, wire, value) => {
    if (field !== 1) return undefined;
    if (wire !== 0 || typeof value !== 'number') return 'field 1 (status) is not a varint';
    // An enum is an int32 on the wire; a negative one arrives as a 10-byte varint.
    status = value > 0x7fffffff ? -1 : value;
    return undefined;
  });
  return r ?? { ok: true, value: status };
}

/** Calls `visit` for each field; returns an error result at the first malformed byte or refused field. */
function walkFields(b: Uint8Array, visit: (field: number, wire: number, value: number | Uint8Array) => string | undefined): { ok: false; error: string } | undefined {
  let at = 0;
  while (at < b.length) {
    const tag = readVarint(b, at);
    if (!tag) return { ok: false, error: `truncated tag at byte ${at}` };
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 0) return { ok: false, error: `field number 0 at byte ${at}` };
    at = tag.next;
    let value: number | Uint8Array;
    if (wire === 0) {
      const v = readVarint(b, at);
      if (!v) return { ok: false, error: `truncated varint at byte ${at}` };
      value = v.value; at = v.next;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (at + n > b.length) return { ok: false, error: `truncated fixed${n * 8} at byte ${at}` };
      value = b.subarray(at, at + n); at += n;
    } else if (wire === 2) {
      const len = readVarint(b, at);
      if (!len) return { ok: false, error: `truncated length at byte ${at}` };
      if (len.next + len.value > b.length) return { ok: false, error: `field ${field} runs past the end (${len.value} bytes at byte ${len.next})` };
      value = b.subarray(len.next, len.next + len.value); at = len.next + len.value;
    } else {
      return { ok: false, error: `unsupported wire type ${wire} for field ${field}` };
    }
    const refused = visit(field, wire, value);
    if (refused) return { ok: false, error: refused };
  }
  return undefined;
}

// ---------------------------------------------------------------- gRPC framing

/** Length-Prefixed-Message: compressed flag (0), 4-byte big-endian length, the message. */
export function frameMessage(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + msg.length);
  new DataView(out.buffer).setUint32(1, msg.length);
  out.set(msg, 5);
  return out;
}

/**
 * Splits a complete body into its messages. A compressed message is refused: the client never
 * offers grpc-accept-encoding, so a server compressing anyway is broken for our purposes.
 */
export function unframeMessages(body: Uint8Array): Decoded<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 5 > body.length) return { ok: false, error: `truncated message header (${body.length - at} of 5 bytes)` };
    const flag = body[at]!;
    const len = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    if (flag === 1) return { ok: false, error: 'compressed message, none was accepted' };
    if (flag !== 0) return { ok: false, error: `bad compressed flag ${flag}` };
    if (at + 5 + len > body.length) return { ok: false, error: `truncated message (${body.length - at - 5} of ${len} bytes)` };
    out.push(body.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  return { ok: true, value: out };
}
