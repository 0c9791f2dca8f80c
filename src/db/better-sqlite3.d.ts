/**
 * The parts of better-sqlite3 (pinned in package.json) that our driver uses
 * (sqlite-adapter.ts); tests/unit/db/sqlite-adapter.test.ts runs them against the real module.
 */
declare module 'better-sqlite3' {
  namespace Sqlite {
    interface Statement {
      readonly reader: boolean;
      readonly readonly: boolean;
      run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
      all(...params: unknown[]): unknown[];
      get(...params: unknown[]): unknown;
      raw(on?: boolean): Statement;
      columns(): { name: string; type: string | null }[];
    }
    interface Database {
      readonly inTransaction: boolean;
      prepare(sql: string): Statement;
      exec(sql: string): Database;
      pragma(sql: string, options?: { simple?: boolean }): unknown;
      defaultSafeIntegers(on?: boolean): Database;
      close(): Database;
      /** the SQLite online backup API: a consistent copy while others write (WAL included) */
      backup(destination: string): Promise<{ totalPages: number; remainingPages: number }>;
    }
  }
  const Sqlite: new (
    path: string,
    options?: { timeout?: number; readonly?: boolean; fileMustExist?: boolean },
  ) => Sqlite.Database;
  export default Sqlite;
}
