/**
 * The PostgreSQL side of the auth cache (auth-cache.ts): when may a cached authentication
 * record be served without reading the rows again, across any number of instances?
 *
 * Every committed write to a table the lookup reads sends a notification (migration 0009).
 * Each instance holds one more connection, outside its pool, that LISTENs; every notification
 * for its schema moves a *generation* counter, and the cache forgets every record kept under an
 * older generation. A notification is delivered after its commit, so on its own it could arrive
 * after a request that should already see the change: instance A answers "revoked" to a client,
 * which then calls instance B before B has read the notification.
 *
 * The **fence** closes that gap. Before a cached record is served, a query (`select 1`) goes
 * through the listening connection *after the request arrived*, and the record is served only
 * if it is still there once that query has answered. PostgreSQL signals the listeners before
 * the writer's COMMIT is acknowledged, and the listening backend sends pending notifications
 * before it processes its next query, so every notification of a transaction committed before
 * the request arrived is read (TCP keeps the order) before the fence's answer: the record is
 * then exactly what the rows say now. One fence serves every request that arrived before it was
 * sent: under load, one round trip on this connection answers dozens of requests, which is
 * where the cache pays (docs/performance.md).
 *
 * Failure: while the listening connection is down (cut, restarted server), `fence()` answers
 * false and every lookup reads the rows; it is reopened in the background, and on every
 * (re)connection the generation moves, so nothing kept before is served after.
 */
import pg from 'pg';

/** How long to wait before reopening a lost listening connection (ms). */
export const AUTH_FENCE_RECONNECT_MS = 1000;
/**
 * A fence unanswered after this long (a connection gone silent) counts the connection as lost:
 * the waiting lookups read the rows instead, and the connection is reopened (ms).
 */
export const AUTH_FENCE_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 10_000;
export const AUTH_CHANNEL = 'codika_auth';

export interface AuthFence {
  /**
   * Resolves true once every change committed before the call is reflected in token(), false
   * when that cannot be known now (not listening): then the rows must be read.
   */
  fence(): Promise<boolean>;
  /** The current generation as a cache token; undefined while not listening. */
  token(): string | undefined;
  close(): Promise<void>;
}

export interface AuthFenceOptions {
  connectionString: string;
  /** Counts every query sent on the listening connection (round-trip tests). */
  onQuery?: (text: string) => void;
}

export class PostgresAuthFence implements AuthFence {
  private client: pg.Client | undefined;
  private schema: string | undefined;
  private listening = false;
  private generation = 0;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** The fence on the wire, and the one that will be sent when it answers (for requests arriving meanwhile). */
  private inFlight: Promise<boolean> | undefined;
  private next: Promise<boolean> | undefined;

  constructor(private readonly options: AuthFenceOptions) {}

  token(): string | undefined {
    return this.listening ? String(this.generation) : undefined;
  }

  fence(): Promise<boolean> {
    if (!this.listening) {
      this.connect();
      return Promise.resolve(false);
    }
    if (this.inFlight === undefined) return this.send();
    // A fence is on the wire already, but it was sent before this request arrived: wait for
    // the next one, shared by every request that arrives until it is sent.
    this.next ??= this.inFlight.then(() => {
      this.next = undefined;
      return this.listening ? this.send() : false;
    });
    return this.next;
  }

  private send(): Promise<boolean> {
    const client = this.client;
    if (client === undefined) return Promise.resolve(false);
    this.options.onQuery?.('select 1 -- auth fence');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        this.lost(client);
        void client.end().catch(() => {});
        resolve(false);
      }, AUTH_FENCE_TIMEOUT_MS);
    });
    const answered = client.query('select 1').then(
      () => this.listening && this.client === client,
      () => {
        this.lost(client);
        return false;
      },
    );
    const sent = Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
    const inFlight = sent.finally(() => {
      if (this.inFlight === inFlight) this.inFlight = undefined;
    });
    this.inFlight = inFlight;
    return inFlight;
  }

  /** Open the listening connection (once at a time); the cache stays off until LISTEN has answered. */
  connect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === AUTH_CHANNEL && message.payload === this.schema) this.generation++;
    });
    try {
      await client.connect();
      this.options.onQuery?.('select current_schema(); listen');
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      this.schema = rows[0]?.schema;
      await client.query(`listen ${AUTH_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.generation++;
      this.listening = true;
    } catch {
      this.lost(client);
      await client.end().catch(() => {});
    }
  }

  private lost(client: pg.Client): void {
    if (this.client === client) {
      this.client = undefined;
      this.listening = false;
      this.generation++;
    }
    if (this.closed || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.listening) void this.connect();
    }, AUTH_FENCE_RECONNECT_MS);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.retry !== undefined) clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
