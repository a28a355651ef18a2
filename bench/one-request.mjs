/**
 * The round trip's second floor: a bare script that sends the same update request as
 * `codika organization update-key` with node:http and exits — Node's start-up, the HTTP
 * request and the server's work, without the CLI.
 *
 *   node bench/one-request.mjs <baseUrl> <apiKey> <keyId> <name>
 */
import { request } from 'node:http';

const [base, key, keyId, name] = process.argv.slice(2);
const body = JSON.stringify({ keyId, name });
await new Promise((resolve, reject) => {
  const req = request(
    new URL('/updateorganizationapikeypublic', base),
    {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-process-manager-key': key },
    },
    (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    },
  );
  req.on('error', reject);
  req.end(body);
});
