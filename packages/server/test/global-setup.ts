/**
 * Vitest global set-up (runs once per run): say in one line when the PostgreSQL half of the
 * suite is skipped, so a green run on a laptop is not mistaken for a run on both databases.
 */
export default function setup(): void {
  if (!process.env.CODIKA_TEST_DATABASE_URL?.trim()) {
    console.log('PostgreSQL tests skipped: CODIKA_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
}
