/**
 * The operator's audit retention (`codika-server start --audit-retention-days N`): the rows
 * written more than N days ago are deleted at start and then every hour, through the one store
 * method that may delete audit rows (Store.purgeAudit, the gate of migration 0008). No route
 * and no other command reaches it; without the flag the log is kept forever.
 */
import type { Clock } from './clock.js';
import type { Store } from './store/types.js';

export const AUDIT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AuditRetentionOptions {
  store: Store;
  clock: Clock;
  days: number;
  intervalMs?: number;
  /** Told how many rows each purge deleted, or why it failed. */
  report(outcome: { deleted: number; before: string } | { error: unknown }): void;
}

export interface AuditRetention {
  /** One purge now; resolves with the rows deleted. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startAuditRetention(options: AuditRetentionOptions): AuditRetention {
  let running: Promise<number> | undefined;
  const runOnce = async (): Promise<number> => {
    if (running) return running;
    const before = new Date(options.clock().getTime() - options.days * DAY_MS).toISOString();
    running = options.store.purgeAudit(before).then(
      (deleted) => {
        options.report({ deleted, before });
        return deleted;
      },
      (error: unknown) => {
        options.report({ error });
        return 0;
      },
    );
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  void runOnce();
  const timer = setInterval(() => void runOnce(), options.intervalMs ?? AUDIT_RETENTION_INTERVAL_MS);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
