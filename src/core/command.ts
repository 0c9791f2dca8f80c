/**
 * Command declarations: a subcommand is a row (name, aliases, schema, access, help, handler),
 * never a branch of a switch. commands/index.ts lists the groups in order.
 */
import type * as z from 'zod';
import type { Calendar, DateStyle } from '../domain/dates.ts';
import type { Locale, Translate } from '../i18n/index.ts';
import type { Clock } from './clock.ts';
import type { PlatformName } from './platform.ts';
import type { Reply } from './reply.ts';
import type { Access, Role } from './roles.ts';

/** Text in both languages. */
export interface Bilingual {
  ja: string;
  en: string;
}

/** The person running a command, as the directory knows them. */
export interface Caller {
  identity: string;
  personId: number | null;
  displayName: string | null;
  roles: ReadonlySet<Role>;
  org: { id: number; code: string; nameJa: string; nameEn: string; coordinator: boolean } | null;
  locale: Locale;
  /** how this person reads Japanese dates (`/csirt lang ja wareki|seireki`, else BOT_CALENDAR) */
  calendar: Calendar;
}

/** Turns what a user typed for a person or channel into our identifiers, per platform. */
export interface RefResolver {
  /** `<@U123|bob>`, `@bob`, `slack:U123`, `console:bob` → a platform identity, or null */
  user(ref: string): Promise<string | null>;
  /** `<#C123|general>`, `~town-square`, `#maff` → the platform's channel id and a name */
  channel(ref: string): Promise<{ id: string; name: string } | null>;
}

/**
 * What a handler gets. It never sees a platform type: only the platform's name (for
 * `org set channel=`, which sets the channel on the platform the command came from).
 */
export interface CommandContext<S = unknown> {
  caller: Caller;
  platform: PlatformName;
  channelId: string | null;
  locale: Locale;
  /** how dates are written for this caller (pass to src/domain/dates.ts) */
  dates: DateStyle;
  t: Translate;
  clock: Clock;
  requestId: string;
  refs: RefResolver;
  services: S;
}

export type FieldHelp = Record<string, Bilingual>;

/** One subcommand (or a group's only command when name is null). */
export interface CommandDef<S = unknown, A = Record<string, unknown>> {
  name: string | null;
  /** Japanese (and other) aliases of the subcommand */
  aliases?: readonly string[];
  /** field names filled, in order, from bare words after the subcommand */
  positional?: readonly string[];
  /** zod object validating the arguments (values arrive as strings or string arrays) */
  schema: z.ZodObject;
  access: Access;
  summary: Bilingual;
  /** the canonical form, without `/csirt ` */
  usage: string;
  fields?: FieldHelp;
  /** on chat platforms, open a form when required fields are missing */
  form?: boolean;
  /** how the form groups the fields (a heading each, in this order); ungrouped fields come last */
  groups?: readonly { name: Bilingual; fields: readonly string[] }[];
  /** false for commands that only read (metrics, rate limits, audit expectations) */
  writes: boolean;
  run(ctx: CommandContext<S>, args: A): Promise<Reply>;
}

export interface CommandGroup<S = unknown> {
  name: string;
  aliases: readonly string[];
  summary: Bilingual;
  commands: readonly CommandDef<S, never>[];
}

/** Declares a command with its argument type inferred from the schema. */
export function defineCommand<S, Z extends z.ZodObject>(
  def: Omit<CommandDef<S, z.infer<Z>>, 'schema' | 'run'> & {
    schema: Z;
    run(ctx: CommandContext<S>, args: z.infer<Z>): Promise<Reply>;
  },
): CommandDef<S, never> {
  return def as unknown as CommandDef<S, never>;
}
