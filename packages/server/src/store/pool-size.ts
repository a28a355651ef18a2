/**
 * PostgreSQL connections per store (each server instance holds one store), unless
 * `start --pool-size` says otherwise. Measured (docs/performance.md, "Pool size"): on the bench
 * machine /verifyapikey and spread updates gain nothing past 10, and a bigger pool only adds
 * backends competing for the same cores; with several instances, their sum must stay under the
 * database's max_connections. A module of its own so the command layer reads it without
 * loading the driver.
 */
export const POSTGRES_POOL_MAX = 10;
