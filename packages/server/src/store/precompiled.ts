/**
 * Queries of the hot paths (authentication, update), built and compiled once per shape and
 * then run with new parameter values: building and compiling a Kysely query cost more than
 * running it (the profile of /verifyapikey and /updateorganizationapikeypublic). The query
 * is built with a placeholder per argument; each placeholder's position among the compiled
 * parameters is recorded, so the arguments are bound in the SQL's order on every dialect.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './db.js';

export class PrecompiledQueries {
  private readonly queries = new Map<string, { query: CompiledQuery; slots: number[] }>();

  run<Row>(
    db: Db,
    shape: string,
    args: readonly unknown[],
    build: (param: (index: number) => string) => Compilable<Row>,
  ): Promise<QueryResult<Row>> {
    let entry = this.queries.get(shape);
    if (entry === undefined) {
      const placeholders = args.map((_, i) => `\u0000codika-param-${i}\u0000`);
      const query = build((index) => placeholders[index] as string).compile();
      const slots = query.parameters.map((value) => {
        const index = placeholders.indexOf(value as string);
        if (index === -1) throw new Error(`precompiled query ${shape} has a parameter that is not an argument`);
        return index;
      });
      entry = { query, slots };
      this.queries.set(shape, entry);
    }
    const { query, slots } = entry;
    return db.executeQuery<Row>({ ...query, parameters: slots.map((index) => args[index]) } as CompiledQuery<Row>);
  }
}
