/**
 * Expected failures are values with a stable code (an i18n key) and parameters; anything
 * else is a bug, logged once with the request id. (ARCHITECTURE.md rules 4 and 5.)
 */
import type { MessageKey } from '../i18n/index.ts';

/**
 * A parameter written in both languages (the kind of an advisory: 情報提供 / information): the
 * reader's language is chosen when the text is made, also for a UserError made before the
 * reader's locale is known.
 */
export interface Bilingual {
  ja: string;
  en: string;
}
export type Params = Record<string, string | number | Bilingual>;

export class UserError extends Error {
  constructor(
    /** a message key: a code no area defines is a compile error */
    readonly code: MessageKey,
    readonly params: Params = {},
  ) {
    super(code);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/**
 * Thrown when an acknowledged command's journal entry was taken over by another process (this
 * one was too slow, its claim expired): that process runs the command and replies, this one
 * stops without a reply. Never shown to a person.
 */
export class HandledElsewhere extends Error {
  constructor(readonly key: string) {
    super(`command ${key} is being handled by another process`);
    this.name = 'HandledElsewhere';
  }
}

/**
 * An acknowledged command that could not run because the database was away, before anything of
 * it committed: the command journal keeps its entry and runs it again once its claim lapses
 * (src/inbox/journal.ts), so the person is told nothing now and answered once, later. Never
 * shown to a person.
 */
export class RunLater extends Error {
  constructor(override readonly cause: unknown) {
    super('the database is away: the command runs again from the journal');
    this.name = 'RunLater';
  }
}

/** True for RunLater, also when a library wrapped it. */
export function isRunLater(e: unknown): boolean {
  return unwrap(e, RunLater);
}

function unwrap(e: unknown, kind: new (...a: never[]) => Error): boolean {
  for (let x = e, depth = 0; x && depth < 4; depth++) {
    if (x instanceof kind) return true;
    x = (x as { original?: unknown; cause?: unknown }).original ?? (x as { cause?: unknown }).cause;
  }
  return false;
}

/** True for HandledElsewhere, also when a library wrapped it (bolt: `original`; `cause`). */
export function isHandledElsewhere(e: unknown): boolean {
  return unwrap(e, HandledElsewhere);
}
