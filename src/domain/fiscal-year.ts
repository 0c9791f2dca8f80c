/**
 * Japanese national fiscal year (財政法 第11条): 1 April to 31 March, reckoned on the
 * Asia/Tokyo calendar date whatever the server's time zone.
 */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The Asia/Tokyo calendar date of an instant, as { year, month (1–12), day }. */
export function tokyoDate(at: Date): { year: number; month: number; day: number } {
  const d = new Date(at.getTime() + JST_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The fiscal year an instant falls in: 2026-04-01 00:00 JST … 2027-03-31 23:59 JST → 2026. */
export function fiscalYearOf(at: Date): number {
  const { year, month } = tokyoDate(at);
  return month >= 4 ? year : year - 1;
}

/** The last instant of a fiscal year's 31 March, Asia/Tokyo (the readiness deadline). */
export function fiscalYearEnd(fy: number): Date {
  // 1 April of fy+1 00:00 JST, less one millisecond
  return new Date(Date.UTC(fy + 1, 3, 1) - JST_OFFSET_MS - 1);
}

/** `INC-2026-0001` from ('INC', 2026, 1). */
export function formatId(prefix: string, fy: number, n: number): string {
  return `${prefix}-${fy}-${String(n).padStart(4, '0')}`;
}
