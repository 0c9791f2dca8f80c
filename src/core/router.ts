/**
 * The router: parse → find the command → caller and access → zod → handler → Reply.
 * Every platform adapter calls handle(); handlers never see a platform object.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import * as z from 'zod';
import { dateStyle } from '../domain/dates.ts';
import { type DirectoryNames, type Locale, type Translate, translator } from '../i18n/index.ts';
import { type Clock, validateAt } from './clock.ts';
import type { Caller, CommandContext, CommandDef, CommandGroup, RefResolver } from './command.ts';
import { isHandledElsewhere, isUserError, RunLater, UserError } from './errors.ts';
import type { InFlight } from './in-flight.ts';
import { parseArgs } from './parser.ts';
import type { PlatformName } from './platform.ts';
import { RateLimiter } from './rate-limit.ts';
import { type Reply, reply } from './reply.ts';
import { allowed } from './roles.ts';
import { describeIssues, fieldShape, issueText } from './schema-info.ts';

export interface Invocation {
  platform: PlatformName;
  identity: string;
  displayName?: string | null;
  /** what followed `/csirt` */
  text: string;
  /** values from a submitted form, merged over what the text gave */
  formValues?: Record<string, string | string[]>;
  channelId: string | null;
  /** the platform's idea of the person's language, used when they chose none with us */
  localeHint?: Locale | null;
  requestId?: string;
  refs: RefResolver;
  /** the local console: one operator at a terminal or a script, not subject to the rate limit */
  unlimited?: boolean;
}

export type Status = 'ok' | 'user_error' | 'denied' | 'unknown' | 'limited' | 'error';

export interface Outcome {
  reply: Reply;
  status: Status;
  /** `group` or `group.sub`, for metrics and logs; null when no command was found */
  command: string | null;
  /** the error code, when status is not ok */
  code?: string;
  requestId: string;
  /** the language the reply is in (the caller's): renderers word what they add in it too */
  locale: Locale;
}

/** A command found and allowed, with its raw arguments (before validation). */
export interface Resolved {
  group: CommandGroup<never>;
  def: CommandDef<never, never>;
  raw: Record<string, string | string[]>;
  caller: Caller;
  /** required fields with no value yet (chat platforms open a form for these) */
  missing: string[];
  /** the caller's language with the directory's names as they are now (forms fill their texts with it) */
  t: Translate;
}

/** A problem with one field, for forms that show errors beside the field. */
export interface FieldIssue {
  /** the schema field (a form's block id); '' when the problem is not about one field */
  field: string;
  message: string;
}

export type Validation = { ok: true; data: unknown } | { ok: false; issues: FieldIssue[] };

export interface RouterDeps<S> {
  groups: readonly CommandGroup<S>[];
  services: S;
  clock: Clock;
  log: Logger;
  lookupCaller(identity: string, localeHint: Locale | null, displayName: string | null): Promise<Caller>;
  /** the directory's names that messages say (the coordinating organisation's), read per command */
  names?(): Promise<DirectoryNames>;
  maxFieldLength: number;
  /** commands one person may run per minute (none = no limit) */
  rateLimitPerMinute?: number;
  onOutcome?(o: Outcome, ms: number): void;
  /** commands in progress, for a graceful shutdown to wait on */
  inFlight?: InFlight;
  /**
   * Whether a failure means "the database was away and nothing of this command committed, and
   * the command journal holds it" (app.ts): then it is not answered now but run again later.
   */
  runsLater?(e: unknown): boolean;
}

export class Router<S> {
  private readonly limiter: RateLimiter | null;
  /** the directory's names as last read (parse() uses them: it reads nothing) */
  private lastNames: DirectoryNames | null = null;

  constructor(private readonly d: RouterDeps<S>) {
    this.limiter = d.rateLimitPerMinute ? new RateLimiter(d.rateLimitPerMinute) : null;
  }

  get groups(): readonly CommandGroup<S>[] {
    return this.d.groups;
  }

  /** Finds the group and subcommand named by the first words (English or alias). */
  find(words: string[]): { group: CommandGroup<S>; def: CommandDef<S, never>; rest: string[] } | null {
    const [first, second, ...rest] = words;
    if (!first) return null;
    // command words typed in full-width (ＲＥＰＯＲＴ) are the same words
    const w = first.normalize('NFKC').toLowerCase();
    const group = this.d.groups.find((g) => g.name === w || g.aliases.includes(first));
    if (!group) return null;
    const sub = second?.normalize('NFKC').toLowerCase();
    const def = group.commands.find(
      (c) => c.name !== null && (c.name === sub || (second !== undefined && c.aliases?.includes(second))),
    );
    if (def) return { group, def, rest };
    const solo = group.commands.find((c) => c.name === null);
    if (solo) return { group, def: solo, rest: second === undefined ? [] : [second, ...rest] };
    return null;
  }

  /** Parses, finds the command and checks access; throws UserError when any of that fails. */
  async resolve(inv: Invocation, known?: Caller, knownNames?: DirectoryNames | null): Promise<Resolved> {
    const [caller, names] = await Promise.all([known ?? this.caller(inv), knownNames ?? this.names()]);
    const found = this.command(inv);
    this.checkAccess(found, caller);
    const t = translator(caller.locale, names);
    return { ...this.args(found, inv, caller.locale, t), caller, t };
  }

  /**
   * What needs no look-up: the command named in the text and its arguments (the text's, then
   * the form's), with the required fields still missing. Throws UserError like resolve(), except
   * that access is not checked (resolve() does that, with the caller). Platforms use this to act
   * within their acknowledgement deadline (Slack: 3 s) before anything slow runs. `locale`: the
   * language of a refusal that names fields (a value past the bot's length limit); texts say the
   * directory's names as last read (generic before any command ran).
   */
  parse(inv: Pick<Invocation, 'text' | 'formValues'>, locale: Locale = 'ja'): Omit<Resolved, 'caller'> {
    const t = translator(locale, this.lastNames);
    return { ...this.args(this.command(inv), inv, locale, t), t };
  }

  private command(inv: Pick<Invocation, 'text'>) {
    const parsed = parseArgs(inv.text);
    const found = this.find(parsed.words);
    if (!found) {
      const name = parsed.words.slice(0, 2).join(' ');
      throw new UserError(name ? 'command.unknown' : 'command.empty', { name });
    }
    return { ...found, pairs: parsed.pairs };
  }

  private checkAccess(found: { group: CommandGroup<S>; def: CommandDef<S, never> }, caller: Caller): void {
    const { group, def } = found;
    if (!allowed(def.access, caller.roles, caller.personId !== null)) {
      throw new UserError('auth.forbidden', { command: `${group.name}${def.name ? ` ${def.name}` : ''}` });
    }
  }

  private args(
    found: { group: CommandGroup<S>; def: CommandDef<S, never>; rest: string[]; pairs: [string, string][] },
    inv: Pick<Invocation, 'formValues'>,
    locale: Locale,
    t: Translate,
  ): Omit<Resolved, 'caller' | 't'> {
    const { group, def, rest } = found;
    const shape = def.schema.shape as Record<string, z.ZodType>;
    const raw: Record<string, string | string[]> = {};
    const positional = def.positional ?? [];
    if (rest.length > positional.length) {
      throw new UserError('input.extra_words', { words: rest.slice(positional.length).join(' '), usage: def.usage });
    }
    rest.forEach((v, i) => {
      raw[positional[i] as string] = v;
    });
    for (const [k, v] of found.pairs) {
      if (!(k in shape)) {
        throw new UserError('input.unknown_key', {
          key: k,
          allowed:
            Object.keys(shape)
              .filter((x) => !positional.includes(x))
              .join(', ') || '-',
        });
      }
      const prev = raw[k];
      if (prev === undefined) raw[k] = fieldShape(shape[k] as z.ZodType).array ? [v] : v;
      else if (Array.isArray(prev)) prev.push(v);
      else throw new UserError('input.repeated_key', { key: k });
    }
    for (const [k, v] of Object.entries(inv.formValues ?? {})) {
      if (k in shape && v !== '' && !(Array.isArray(v) && v.length === 0)) raw[k] = v;
    }
    // a value past the bot's limit is refused before any parsing, in the words the schema would
    // use: the field with its label, and its own limit when that is the smaller one
    const tooLong = Object.entries(raw)
      .filter(([, v]) => (Array.isArray(v) ? v : [v]).some((s) => s.length > this.d.maxFieldLength))
      .map(([k]) => k);
    if (tooLong.length > 0) {
      const details = tooLong
        .map((k) => {
          const max = Math.min(fieldShape(shape[k] as z.ZodType).maxLength ?? Infinity, this.d.maxFieldLength);
          return `・${fieldLabel(def, k, locale, t)}: ${t('input.too_long_value', { max })}`;
        })
        .join('\n');
      throw new UserError('input.invalid', { details, usage: def.usage });
    }
    const missing = Object.entries(shape)
      .filter(([k, s]) => !fieldShape(s).optional && raw[k] === undefined)
      .map(([k]) => k);
    return { group: group as CommandGroup<never>, def: def as CommandDef<never, never>, raw, missing };
  }

  /**
   * Validates resolved arguments with the command's schema, without running it. Issues name
   * the field (the first element of the zod path) and say what is wrong in `locale`;
   * required fields still missing are reported as missing.
   */
  validate(r: Pick<Resolved, 'def' | 'raw' | 't'> & { caller?: Caller }, locale: Locale): Validation {
    const t = locale === (r.caller?.locale ?? locale) ? r.t : translator(locale);
    const parsed = validateAt(this.d.clock.now(), () => r.def.schema.safeParse(r.raw, { reportInput: true }));
    if (parsed.success) return { ok: true, data: parsed.data };
    const issues: FieldIssue[] = [];
    for (const i of parsed.error.issues) {
      const field = i.path.length > 0 ? String(i.path[0]) : '';
      if (!issues.some((x) => x.field === field)) issues.push({ field, message: issueText(i, t) });
    }
    return { ok: false, issues };
  }

  /** The directory's names as they are now (none without a names source: the generic words). */
  async names(): Promise<DirectoryNames | null> {
    if (!this.d.names) return null;
    this.lastNames = await this.d.names();
    return this.lastNames;
  }

  /** Who is calling (roles, organisation, language), as resolve() and handle() look it up. */
  caller(inv: Invocation): Promise<Caller> {
    return this.d.lookupCaller(inv.identity, inv.localeHint ?? null, inv.displayName ?? null);
  }

  /**
   * Runs an invocation to a Reply; expected failures become localised error replies. `known`:
   * the caller as already looked up for this same request (resolve() before a form), so that
   * it is not read again.
   */
  handle(inv: Invocation, known?: Caller): Promise<Outcome> {
    const p = this.run(inv, known);
    return this.d.inFlight ? this.d.inFlight.track(p) : p;
  }

  private async run(inv: Invocation, known?: Caller): Promise<Outcome> {
    const started = performance.now();
    const requestId = inv.requestId ?? randomUUID();
    let locale: Locale = inv.localeHint ?? 'ja';
    let names: DirectoryNames | null = null;
    let command: string | null = null;
    let outcome: Outcome;
    try {
      const [caller, read] = await Promise.all([known ?? this.caller(inv), this.names()]);
      locale = caller.locale;
      names = read;
      const wait = inv.unlimited ? 0 : (this.limiter?.take(inv.identity) ?? 0);
      if (wait > 0) throw new UserError('rate.limited', { seconds: wait });
      const r = await this.resolve(inv, caller, names);
      command = `${r.group.name}${r.def.name ? `.${r.def.name}` : ''}`;
      if (r.missing.length > 0) {
        // platforms with forms open one before calling handle(); here the user is told what to add
        throw new UserError('input.missing_fields', {
          fields: missingLabels(r.def, r.missing, locale, r.t),
          usage: r.def.usage,
        });
      }
      const parsed = validateAt(this.d.clock.now(), () => r.def.schema.safeParse(r.raw, { reportInput: true }));
      if (!parsed.success) {
        const details = describeIssues(parsed.error.issues, r.t, (k) => fieldLabel(r.def, k, locale, r.t));
        throw new UserError('input.invalid', { details, usage: r.def.usage });
      }
      const ctx: CommandContext<S> = {
        caller: r.caller,
        platform: inv.platform,
        channelId: inv.channelId,
        locale,
        dates: dateStyle(locale, r.caller.calendar),
        t: r.t,
        clock: this.d.clock,
        requestId,
        refs: inv.refs,
        services: this.d.services,
      };
      const rep = await (r.def as unknown as CommandDef<S, unknown>).run(ctx, parsed.data);
      outcome = { reply: rep, status: 'ok', command, requestId, locale };
    } catch (e) {
      if (isHandledElsewhere(e)) throw e; // another process replies
      if (this.d.runsLater?.(e)) throw new RunLater(e); // the journal runs it again, and replies
      outcome = this.failure(e, locale, command, requestId, names);
    }
    this.d.onOutcome?.(outcome, performance.now() - started);
    return outcome;
  }

  /** The reply for a thrown error: a UserError's own text, else an apology with the request id. */
  failure(
    e: unknown,
    locale: Locale,
    command: string | null,
    requestId: string,
    names: DirectoryNames | null = null,
  ): Outcome {
    const t = translator(locale, names);
    if (isUserError(e)) {
      const status =
        e.code === 'auth.forbidden'
          ? 'denied'
          : e.code === 'rate.limited'
            ? 'limited'
            : e.code.startsWith('command.')
              ? 'unknown'
              : 'user_error';
      return {
        reply: { ...reply.text(t(e.code, e.params)), error: true },
        status,
        command,
        code: e.code,
        requestId,
        locale,
      };
    }
    this.d.log.error({ err: e, requestId, command }, 'command failed');
    return {
      reply: { ...reply.text(t('error.internal', { id: requestId })), error: true },
      status: 'error',
      command,
      code: 'error.internal',
      requestId,
      locale,
    };
  }
}

/**
 * `summary（概要）`: a field's name with its label from the command's help (the name alone
 * without one); `t` fills the directory's names into the help text.
 */
export function fieldLabel(
  def: CommandDef<never, never>,
  k: string,
  locale: Locale,
  t?: Pick<Translate, 'fill'>,
): string {
  const help = def.fields?.[k]?.[locale];
  const label = (help && t ? t.fill(help) : help)?.split(/[（(:：]/)[0]?.trim();
  if (!label) return k;
  return locale === 'ja' ? `${k}（${label}）` : `${k} (${label})`;
}

/** `category（種別）, summary（概要）`: field names with their label from the command's help. */
export function missingLabels(
  def: CommandDef<never, never>,
  missing: readonly string[],
  locale: Locale,
  t?: Pick<Translate, 'fill'>,
): string {
  return missing.map((k) => fieldLabel(def, k, locale, t)).join(', ');
}

export { z };
