/**
 * Expected failures are values with a stable code (an i18n key) and parameters; anything
 * else is a bug, logged once with the request id. (ARCHITECTURE.md rules 4 and 5.)
 */
export type Params = Record<string, string | number>;

export class UserError extends Error {
  constructor(
    readonly code: string,
    readonly params: Params = {},
  ) {
    super(code);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
