// Fuzz target: gRPC framing and health check protobuf decode (src/codec/grpc-health.ts).
// Never throws; decoded frames lie inside the body; a status decodes to an int32 or -1.
import { decodeHealthCheckRequest, decodeHealthCheckResponse, unframeMessages, encodeHealthCheckResponse } from '../../../src/codec/grpc-health.js';
import { check, checkDecoded } from '../support.js';

export function fuzz(data: Buffer): void {
  const u = unframeMessages(data);
  checkDecoded(u, 'unframeMessages');
  if (u.ok) check(u.value.reduce((n, m) => n + 5 + m.length, 0) === data.length, 'frames do not add up to the body');
  const res = decodeHealthCheckResponse(data);
  checkDecoded(res, 'decodeHealthCheckResponse');
  if (res.ok) {
    check(Number.isInteger(res.value) && res.value >= -1 && res.value <= 0x7fffffff, `status ${res.value} is not an int32`);
    if (res.value >= 0) check(decodeHealthCheckResponse(encodeHealthCheckResponse(res.value)).ok, 'status does not round-trip');
  }
  const req = decodeHealthCheckRequest(data);
  checkDecoded(req, 'decodeHealthCheckRequest');
  if (u.ok) for (const m of u.value) checkDecoded(decodeHealthCheckResponse(m), 'decodeHealthCheckResponse(frame)');
}
