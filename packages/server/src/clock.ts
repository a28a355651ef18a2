/** The server's clock, injected so tests can move time (expiry, last-used throttling). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** ISO 8601 UTC with milliseconds, the only timestamp format on the wire and in the store. */
export function iso(date: Date): string {
  return date.toISOString();
}
