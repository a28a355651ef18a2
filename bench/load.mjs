/**
 * Fallback load generator (used only when `wrk` is missing and cannot be installed): keeps
 * CONNECTIONS keep-alive connections busy for SECONDS and prints the same JSON as the wrk
 * scripts. Runs in its own process, like wrk.
 *
 *   node bench/load.mjs <url> <mode: get|verify|update> <seconds> <connections> [key] [targetKeyId[,targetKeyId…]]
 *
 * With several target ids (comma-separated), updates go to them in turn (spread over many keys).
 */
import { Agent, request } from 'node:http';

const [url, mode, secondsArg, connectionsArg, key = '', target = ''] = process.argv.slice(2);
const seconds = Number(secondsArg);
const connections = Number(connectionsArg);
const base = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const path = mode === 'update' ? '/updateorganizationapikeypublic' : mode === 'verify' ? '/verifyapikey' : base.pathname;
const method = mode === 'get' ? 'GET' : 'POST';
const runTag = Date.now().toString(36);
const targets = target.split(',');
const SCOPES = ['["projects:read","instances:read"]', '["projects:read","executions:read"]'];

let latencies = new Float64Array(1 << 16);
let count = 0;
let statusErrors = 0;
let otherErrors = 0;
let n = 0;

function record(us) {
  if (count === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[count++] = us;
}

function once() {
  return new Promise((resolve) => {
    n++;
    const body =
      mode === 'update'
        ? `{"keyId":"${targets[n % targets.length]}","name":"bench ${runTag}-${n}","scopes":${SCOPES[n % 2]}}`
        : '';
    const headers = { 'x-process-manager-key': key, 'content-length': Buffer.byteLength(body) };
    if (body !== '') headers['content-type'] = 'application/json';
    const start = process.hrtime.bigint();
    const req = request({ host: base.hostname, port: base.port, method, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        record(Number(process.hrtime.bigint() - start) / 1000);
        if (res.statusCode >= 400) statusErrors++;
        resolve();
      });
    });
    req.on('error', () => {
      otherErrors++;
      resolve();
    });
    req.end(body);
  });
}

const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) await once();
  }),
);
const elapsedUs = (performance.now() - started) * 1000;
const sorted = latencies.subarray(0, count).sort();
const pct = (p) => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.floor((p / 100) * count))]);
let sum = 0;
for (const v of sorted) sum += v;
process.stdout.write(
  `LOADJSON ${JSON.stringify({
    requests: count,
    duration_us: elapsedUs,
    errors: { status: statusErrors, other: otherErrors },
    p50_us: pct(50),
    p90_us: pct(90),
    p99_us: pct(99),
    mean_us: count ? sum / count : 0,
    max_us: count ? sorted[count - 1] : 0,
  })}\n`,
);
agent.destroy();
