/**
 * The error of a test's wait (`until`) that ran out: what was waited for (the condition's source,
 * e.g. `() => dms(taro).length === before + 1`) and how long, so that a flake in CI says where it
 * stopped; `more`: what else the helper knows (the bot's last log lines).
 */
export function notMetInTime(cond: () => unknown, ms: number, more = ''): Error {
  const what = String(cond).replace(/\s+/g, ' ').slice(0, 300);
  return new Error(`condition not met in ${ms} ms: ${what}${more ? `\n${more}` : ''}`);
}
