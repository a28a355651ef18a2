/**
 * The disk's durable-commit rate: overwrite a 4 KiB page and fdatasync it, in a loop, in a
 * file of the directory given (the bench database's), for the given seconds. Prints
 * `{"ops":N,"seconds":S,"perSecond":R}`. This is the physical limit of one durable commit
 * per request (SQLite's WAL commit with synchronous=FULL is a write plus an fdatasync).
 */
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [dir, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const file = join(dir, `fsync-probe-${process.pid}.bin`);
const PAGES = 256;
const page = Buffer.alloc(4096, 0x5a);
const fd = openSync(file, 'w', 0o600);
try {
  writeSync(fd, Buffer.alloc(4096 * PAGES));
  fdatasyncSync(fd);
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    writeSync(fd, page, 0, page.length, (ops % PAGES) * page.length);
    fdatasyncSync(fd);
    ops++;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  process.stdout.write(`${JSON.stringify({ ops, seconds: elapsed, perSecond: ops / elapsed })}\n`);
} finally {
  closeSync(fd);
  unlinkSync(file);
}
