/**
 * Another process holding SQLite's write lock on a database file, as an operator's `sqlite3`
 * shell with `BEGIN EXCLUSIVE` would: a child Node process with its own better-sqlite3
 * connection. lock() takes the lock (and dirties a page), release() rolls back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

const SCRIPT = `
const Database = require(${JSON.stringify(BETTER_SQLITE3)});
const db = new Database(process.argv[1], { timeout: 0 });
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  try {
    if (line === 'lock') {
      db.exec('BEGIN EXCLUSIVE');
      db.exec("UPDATE organizations SET name = name");
      process.stdout.write('locked\\n');
    } else if (line === 'release') {
      db.exec('ROLLBACK');
      process.stdout.write('released\\n');
    } else if (line === 'exit') {
      db.close();
      process.exit(0);
    }
  } catch (err) {
    process.stdout.write('error ' + err.message + '\\n');
  }
});
`;

export interface LockHolder {
  lock(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}

export async function lockHolder(file: string): Promise<LockHolder> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffered = '';
  const waiters: ((line: string) => void)[] = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    buffered += d;
    for (let i = buffered.indexOf('\n'); i !== -1; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      waiters.shift()?.(line);
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const say = async (command: string, expected: string) => {
    const answer = new Promise<string>((resolve) => waiters.push(resolve));
    child.stdin?.write(`${command}\n`);
    const line = await answer;
    if (line !== expected) throw new Error(`lock holder: ${command} answered "${line}"`);
  };
  return {
    lock: () => say('lock', 'locked'),
    release: () => say('release', 'released'),
    close: async () => {
      child.stdin?.write('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
