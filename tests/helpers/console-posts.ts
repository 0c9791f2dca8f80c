/**
 * The posts and direct messages in a console run's output: a post starts with `[#channel]` or
 * `[@user]` and its further lines are indented by the width of that prefix.
 */
export interface ConsolePost {
  /** `#maff`, `@maff-poc`, or `#maff ✎3` for an update */
  to: string;
  text: string;
}

export function consolePosts(stdout: string): ConsolePost[] {
  const posts: ConsolePost[] = [];
  let cur: ConsolePost | null = null;
  for (const line of stdout.split('\n')) {
    const m = /^\[([#@][^\]]+)\] (.*)$/.exec(line);
    if (m) {
      cur = { to: m[1] as string, text: m[2] as string };
      posts.push(cur);
    } else if (cur && /^ +\S/.test(line)) {
      cur.text += `\n${line.trim()}`;
    } else {
      cur = null;
    }
  }
  return posts;
}

/** The lines of the output that are not part of a post: the replies to the commands. */
export function consoleReplies(stdout: string): string {
  const out: string[] = [];
  let inPost = false;
  for (const line of stdout.split('\n')) {
    if (/^\[[#@][^\]]+\] /.test(line)) inPost = true;
    else if (!(inPost && /^ +\S/.test(line))) {
      inPost = false;
      out.push(line);
    }
  }
  return out.join('\n');
}
