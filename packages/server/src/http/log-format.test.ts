import { describe, expect, it } from 'vitest';
import { formatLogLine, prettyLogStream } from './log-format.js';

const time = new Date(2026, 11, 3, 9, 5, 7, 42).getTime(); // local time: the format shows local time

describe('the request log for people', () => {
  it('a request: time, method and path, status and error code, duration, the caller', () => {
    const line = JSON.stringify({
      level: 30,
      time,
      req: { method: 'POST', url: '/updateorganizationapikeypublic' },
      res: { statusCode: 403 },
      responseTime: 4.123,
      errorCode: 'INSUFFICIENT_SCOPE',
      callerKeyId: 'k-1',
      msg: 'request completed',
    });
    expect(formatLogLine(line)).toBe(
      '09:05:07.042  POST /updateorganizationapikeypublic  403 INSUFFICIENT_SCOPE  4.1 ms  key k-1\n',
    );
    const ok = JSON.stringify({
      level: 30,
      time,
      req: { method: 'GET', url: '/healthz' },
      res: { statusCode: 200 },
      responseTime: 0.04,
    });
    expect(formatLogLine(ok)).toBe('09:05:07.042  GET /healthz  200  0.0 ms\n');
    const person = JSON.stringify({
      level: 30,
      time,
      req: { method: 'POST', url: '/x' },
      res: { statusCode: 200 },
      callerUserId: 'u-1',
    });
    expect(formatLogLine(person)).toBe('09:05:07.042  POST /x  200  user u-1\n');
  });

  it('an error names its level and indents its stack; other lines are time, level, message', () => {
    const failed = JSON.stringify({
      level: 50,
      time,
      req: { method: 'POST', url: '/x' },
      res: { statusCode: 500 },
      responseTime: 1,
      errorCode: 'INTERNAL_ERROR',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1)' },
    });
    expect(formatLogLine(failed)).toBe(
      '09:05:07.042  error  POST /x  500 INTERNAL_ERROR  1.0 ms\n    Error: boom\n        at f (a.js:1)\n',
    );
    expect(formatLogLine(JSON.stringify({ level: 30, time, msg: 'Server listening at http://127.0.0.1:8787' }))).toBe(
      '09:05:07.042  info  Server listening at http://127.0.0.1:8787\n',
    );
    expect(formatLogLine('not json')).toBe('not json\n');
  });

  it('the stream formats every line of a chunk', () => {
    let out = '';
    const stream = prettyLogStream({ write: (t) => (out += t) });
    stream.write(`${JSON.stringify({ level: 40, time, msg: 'a' })}\n${JSON.stringify({ level: 30, time, msg: 'b' })}\n`);
    expect(out).toBe('09:05:07.042  warn  a\n09:05:07.042  info  b\n');
  });
});
