/**
 * The one choice of a Mattermost request's reply: in the HTTP answer (the work ended in time),
 * or after it (to the response_url, or a direct message). Exactly one of the two, never both
 * and never neither: a reply answered in the body is not sent again, and one sent after is not
 * also in the body.
 */

/**
 * Runs `work`; its result when it ends within `ms`, else null (and `late` gets it when it ends,
 * through `track`). `ms <= 0`: never in the answer — the result always goes to `late`.
 *
 * Why 0 is not raced: a 0 ms timer is a 1 ms timer on the loop's cached clock, and a command
 * whose every step is synchronous SQLite plus one fsync often ends before it fires (10 of 40
 * `help` commands under load, session 15). The reply then went in the answer, and a caller that
 * had asked for "always after" (tests/e2e/mattermost: an unreachable response_url must end in
 * a direct message) waited for a direct message that never came.
 */
export async function within<T>(
  work: Promise<T>,
  ms: number,
  late: (v: T) => Promise<void>,
  track: (p: Promise<unknown>) => void,
): Promise<{ value: T } | null> {
  if (ms <= 0) {
    track(work.then(late));
    return null;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), ms);
  });
  try {
    const first = await Promise.race([work.then((value) => ({ value })), timeout]);
    if (first) return first;
  } finally {
    clearTimeout(timer);
  }
  track(work.then(late));
  return null;
}
