/**
 * The throughput floor: a bare node:http server answering every request with a small JSON
 * body (the size of a verify answer's envelope head), keep-alive, no framework, no database.
 * Prints `floor listening on http://HOST:PORT` once ready.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({
  success: true,
  data: { type: 'org-api-key', keyId: '01a22276-746f-74db-81a4-d68d2f98c005', keyName: 'Owner key' },
  requestId: '01a22276-8f15-7249-8da8-d1dbf24d3d48',
});

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
