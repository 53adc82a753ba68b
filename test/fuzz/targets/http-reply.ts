// Fuzz target: an HTTP_GET reply as the addon hands it over (src/check/http-reply.ts, judged by
// src/check/http-raw.ts). Never throws, whatever the server sent or where it was cut; a body
// never reaches past the bytes read; a passing judgement only follows a 2xx status.
import { parseHead, replyBody } from '../../../src/check/http-reply.js';
import { judgeReply } from '../../../src/check/http-raw.js';
import { check } from '../support.js';

const target = { address: '10.0.0.5', family: 4 as const, port: 80 };

export function fuzz(data: Buffer): void {
  const head = parseHead(data);
  if (!('incomplete' in head) && !('error' in head)) {
    check(head.bodyStart <= data.length && head.status >= 100 && head.status <= 999, 'head out of range');
    for (const ended of [true, false]) {
      const b = replyBody(data, head, ended);
      if (!('error' in b)) check(b.body.length <= data.length - head.bodyStart, 'body longer than what was read');
    }
  }
  for (const err of [undefined, 'EMSGSIZE', 'ECONNRESET']) {
    const f = judgeReply({ path: '/h', statusCodes: [[200, 299]], digest: '0'.repeat(32) }, target, 1000, true, err, data);
    check(f !== undefined, 'an all-zero digest never matches');
    const g = judgeReply({ path: '/h', statusCodes: [[200, 299]] }, target, 1000, true, err, data);
    if (g === undefined) check(!('error' in head) && !('incomplete' in head) && head.status >= 200 && head.status <= 299, 'passed without a 2xx status');
    else check(typeof g.reason === 'string' && g.reason.length > 0 && typeof g.code === 'string', 'a failure without words');
  }
}
