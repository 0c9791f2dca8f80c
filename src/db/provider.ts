/** The two storage back ends, chosen by the scheme of DATABASE_URL. */
export type Provider = 'sqlite' | 'postgresql';

export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) return 'postgresql';
  throw new Error(`unsupported database URL scheme: ${url.split(':')[0]}`);
}

/** The file path of a SQLite URL (`file:./data/x.db` → `./data/x.db`). */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}
