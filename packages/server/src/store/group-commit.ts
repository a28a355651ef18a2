/**
 * Group commit for a single-connection database (SQLite): write transactions that arrive
 * together share one COMMIT, so one durable sync (synchronous=FULL: an fsync of the WAL)
 * serves them all instead of one each.
 *
 * On SQLite the store's transactions already run one after another on one connection; the
 * group runs them in the same order, each inside its own SAVEPOINT, and commits once:
 * - a transaction that throws is rolled back to its savepoint (its writes undone, the others'
 *   kept) and its caller gets the error at once — nothing of it is committed;
 * - a transaction that returns is answered only after the group's COMMIT has returned, i.e.
 *   once its writes are durable; if the COMMIT fails, every member of the group gets the error;
 * - if SQLite abandoned the whole transaction (an I/O error, a busy lock…), every member fails.
 * Later members see earlier members' writes, exactly as they would one after another.
 *
 * A group starts on the next turn of the event loop after its first member arrives
 * (setImmediate), so the requests read in the same turn join it; at most MAX_GROUP members.
 */
import { type Kysely, sql } from 'kysely';

export const MAX_GROUP = 128;

interface Member<DB> {
  fn(trx: Kysely<DB>): Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class GroupCommit<DB> {
  private queue: Member<DB>[] = [];
  private scheduled = false;
  /** Told the number of transactions of each committed group (the metrics' batch sizes). */
  observer: ((transactions: number) => void) | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxGroup: number = MAX_GROUP,
  ) {}

  run<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        await this.commitGroup(group);
      }
    } finally {
      this.scheduled = false;
      // A member may have arrived after the last check (while the last COMMIT was awaited).
      if (this.queue.length > 0) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async commitGroup(group: Member<DB>[]): Promise<void> {
    const done: { member: Member<DB>; value: unknown }[] = [];
    try {
      await this.db.connection().execute(async (conn) => {
        // IMMEDIATE: the write lock first, so a lock held elsewhere is met before any member ran.
        await sql`begin immediate`.execute(conn);
        try {
          for (const member of group) {
            await sql`savepoint codika_member`.execute(conn);
            let value: unknown;
            try {
              value = await member.fn(conn);
            } catch (err) {
              // Undo this member only; if SQLite already abandoned the whole transaction, the
              // savepoint is gone and this throws, failing the group below.
              await sql`rollback to codika_member`.execute(conn);
              await sql`release codika_member`.execute(conn);
              member.reject(err);
              continue;
            }
            await sql`release codika_member`.execute(conn);
            done.push({ member, value });
          }
          await sql`commit`.execute(conn);
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw err;
        }
      });
    } catch (err) {
      for (const { member } of done) member.reject(err);
      // Members that never ran (the group failed before them) fail too.
      for (const member of group) {
        if (!done.some((d) => d.member === member)) member.reject(err);
      }
      return;
    }
    this.observer?.(done.length);
    for (const { member, value } of done) member.resolve(value);
  }
}
