/** Time as the application sees it; tests set it instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The system clock shifted by `offsetMs` (BOT_CLOCK_OFFSET_MS: tests and drills only). */
export function offsetClock(offsetMs: number): Clock {
  return offsetMs === 0 ? systemClock : { now: () => new Date(Date.now() + offsetMs) };
}

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date | string): void {
    this.t = new Date(t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

/**
 * The moment of the parse in progress. A plain variable, not an AsyncLocalStorage: the parse is
 * synchronous (nothing else runs until it returns), and every AsyncLocalStorage in use makes every
 * promise of the process pay for carrying its context (Node 20's promise hooks).
 */
let validating: Date | undefined;

/**
 * Runs `parse` (a command schema's synchronous parse) at the moment `now`: the router passes
 * its clock, so that schemas check values against ranges that move with time
 * (src/domain/plausible.ts) on the bot's clock, not the machine's.
 */
export function validateAt<T>(now: Date, parse: () => T): T {
  const outer = validating;
  validating = now;
  try {
    return parse();
  } finally {
    validating = outer;
  }
}

/** The moment of the parse in progress (`validateAt`); the system clock outside one. */
export function validationNow(): Date {
  return validating ?? new Date();
}
