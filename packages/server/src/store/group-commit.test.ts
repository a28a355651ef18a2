/**
 * Group commit: transactions arriving together share one COMMIT, each is answered only once
 * that COMMIT has returned, and a failing member is undone without touching the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

interface Db {
  t: { id: number; v: string };
}

describe('GroupCommit (SQLite)', () => {
  let dir: string;
  let file: string;
  let db: Kysely<Db>;
  let other: SqliteDatabase.Database;
  let commits: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codika-group-commit-'));
    file = join(dir, 'g.db');
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    commits = 0;
    // Count COMMITs as they reach SQLite.
    const counting = {
      close: () => database.close(),
      prepare: (text: string) => {
        if (/^commit$/i.test(text.trim())) commits++;
        return database.prepare(text);
      },
    };
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: counting }) });
    await sql`create table t (id integer primary key, v text not null)`.execute(db);
    other = new SqliteDatabase(file, { readonly: true });
  });

  afterEach(async () => {
    other.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = () => (other.prepare('select count(*) as n from t').get() as { n: number }).n;

  it('commits members arriving together once, and answers each after its rows are committed', async () => {
    const group = new GroupCommit(db);
    const seenByOther: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        group
          .run(async (trx) => {
            await trx
              .insertInto('t')
              .values({ id: i, v: `v${i}` })
              .execute();
            return i;
          })
          .then((value) => {
            // Another connection already sees this member's row when its caller is answered.
            seenByOther.push((other.prepare('select count(*) as n from t where id = ?').get(i) as { n: number }).n);
            return value;
          }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seenByOther).toEqual(Array(20).fill(1));
    expect(commits).toBe(1);
  });

  it('undoes a failing member only; later members see earlier ones', async () => {
    const group = new GroupCommit(db);
    const first = group.run(async (trx) => {
      await trx.insertInto('t').values({ id: 1, v: 'a' }).execute();
    });
    const failing = group.run(async (trx) => {
      await trx.insertInto('t').values({ id: 2, v: 'b' }).execute();
      throw new Error('judged: no');
    });
    const third = group.run(async (trx) => {
      const rows = await trx.selectFrom('t').select('id').execute();
      await trx.insertInto('t').values({ id: 3, v: 'c' }).execute();
      return rows.map((r) => r.id);
    });
    await expect(first).resolves.toBeUndefined();
    await expect(failing).rejects.toThrow('judged: no');
    await expect(third).resolves.toEqual([1]);
    expect(other.prepare('select id from t order by id').all()).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('fails every member when the group cannot commit', async () => {
    const group = new GroupCommit(db);
    // A member that ends the transaction behind the group's back makes COMMIT fail.
    const a = group.run(async (trx) => {
      await trx.insertInto('t').values({ id: 1, v: 'a' }).execute();
    });
    const b = group.run(async (trx) => {
      await sql`release codika_member`.execute(trx);
      await sql`rollback`.execute(trx);
    });
    await expect(a).rejects.toThrow();
    await expect(b).rejects.toThrow();
    expect(count()).toBe(0);
    // The next group works.
    await group.run(async (trx) => {
      await trx.insertInto('t').values({ id: 9, v: 'z' }).execute();
    });
    expect(count()).toBe(1);
  });

  it('keeps groups at their maximum size', async () => {
    const group = new GroupCommit(db, 4);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        group.run(async (trx) => {
          await trx.insertInto('t').values({ id: i, v: 'x' }).execute();
        }),
      ),
    );
    expect(count()).toBe(10);
    expect(commits).toBe(3);
  });
});
