/**
 * A driver adapter that passes everything to `a` but what `own` replaces: the one shape of
 * every wrapper we put between Prisma and a driver (availability.ts, reserved-lane.ts,
 * direct.ts), on Prisma's public driver adapter interface.
 */
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';

type Own = Partial<Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw' | 'startTransaction' | 'dispose'>>;

export function wrapAdapter(a: SqlDriverAdapter, own: Own): SqlDriverAdapter {
  const adapter: SqlDriverAdapter = {
    provider: a.provider,
    adapterName: a.adapterName,
    queryRaw: own.queryRaw ?? ((q) => a.queryRaw(q)),
    executeRaw: own.executeRaw ?? ((q) => a.executeRaw(q)),
    executeScript: (script) => a.executeScript(script),
    startTransaction: own.startTransaction ?? ((level) => a.startTransaction(level)),
    dispose: own.dispose ?? (() => a.dispose()),
  };
  if (a.getConnectionInfo) {
    const info = a.getConnectionInfo.bind(a);
    adapter.getConnectionInfo = () => info();
  }
  return adapter;
}
