/**
 * Names for the statements sent to PostgreSQL, so that each connection parses and plans a
 * statement once and then only binds and executes it (@prisma/adapter-pg's public
 * `statementNameGenerator` option; pg keeps, per connection, the names it has prepared and
 * sends the Parse message only the first time).
 *
 * Why: an unnamed statement is parsed and planned again by the server at every execution and
 * costs the server's CPU, which the bot shares on small machines (the report path runs ~15
 * statements per transaction).
 *
 * Bounds: a prepared statement lives as long as its connection, on the server, so the names
 * are bounded: a text is named the second time it is seen (one-off texts — migrations, an
 * operator's query — stay unnamed), and at most `limit` texts are ever named; later ones run
 * unnamed. The texts that vary with a row count (multi-row INSERTs, IN lists) are one name per
 * distinct text, within the same bound. A name is never given to two texts (pg refuses that on
 * a connection that has prepared it).
 *
 * A statement whose result columns are `*` (`SELECT *`, `RETURNING *`, `t.*`) stays unnamed: a
 * prepared statement's result columns are fixed, and a column added to its table by a migration
 * while this process runs (a new version migrating beside the old one) would make it fail with
 * "cached plan must not change result type" until the connection closed. Named statements that
 * list their columns are planned again by the server after such a change, and keep working.
 */

/** result columns that follow the table (`SELECT *`, `RETURNING *`, `t.*`; not `COUNT(*)`) */
const STAR = /(?:\bSELECT|\bRETURNING|,|\.)\s*\*/i;

export interface StatementNames {
  /** the name for this text, or undefined: send it unnamed */
  (sql: string): string | undefined;
  /** how many texts have a name */
  readonly named: number;
}

export function statementNames(limit = 256, seenLimit = 4 * limit): StatementNames {
  const names = new Map<string, string>();
  /** texts seen once, not named yet (bounded too: a stream of one-off texts must not grow it) */
  const seen = new Set<string>();
  const name = (sql: string): string | undefined => {
    const known = names.get(sql);
    if (known !== undefined || names.size >= limit || STAR.test(sql)) return known;
    if (!seen.has(sql)) {
      if (seen.size >= seenLimit) seen.clear();
      seen.add(sql);
      return undefined;
    }
    seen.delete(sql);
    const fresh = `csirt_${names.size}`;
    names.set(sql, fresh);
    return fresh;
  };
  return Object.defineProperty(name, 'named', { get: () => names.size }) as StatementNames;
}
