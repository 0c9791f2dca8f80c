/**
 * What a route handler of the fake Mattermost server receives and returns.
 */
import { appError, type FakeMmStore, MM_ERRORS } from './mattermost-state.ts';

/** Per-request context for a handler. */
export interface MmContext {
  store: FakeMmStore;
  /** The authenticated user (the token's owner). */
  userId: string;
  /** Path parameters from the spec's template, e.g. `{ post_id }`. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (already checked against the spec). */
  body: unknown;
  requestId: string;
  now: number;
  /** The success status the spec documents for this operation. */
  status: number;
  /** Records a protocol problem the server would not reject but that breaks things for users. */
  violate(kind: string, detail: string): void;
  options: MmHandlerOptions;
}

/** Server settings handlers look at. */
export interface MmHandlerOptions {
  /** How long a trigger id is accepted by dialogs/open (ms). */
  triggerTtlMs: number;
  /**
   * The bot's slash command permissions in the team (api4/command.go): `own` =
   * manage_own_slash_commands (list, create and edit its own commands), `others` = also
   * manage_others_slash_commands (see and edit commands someone else created). The built-in
   * Team Admin role has both (model/role.go); a plain team member neither.
   */
  commandPermissions: 'none' | 'own' | 'others';
  /**
   * ServiceSettings.PostEditTimeLimit in seconds (-1, the default: no limit). Past it, an edit
   * that changes the message is refused with 400 `api.post.update_post.permissions_time_limit`,
   * bots included (api4/post.go postPatchChecks and updatePost; app/post.go UpdatePost).
   */
  postEditTimeLimitSeconds: number;
  /** Whether the bot holds create_post_ephemeral (bots usually do not). */
  canPostEphemeral: boolean;
  /** ServiceSettings.SiteURL ('' = unset), as GET /config/client answers it. */
  siteUrl: string;
}

/** A handler's answer: status and JSON body. */
export interface MmResult {
  status: number;
  body: unknown;
}

/** A route handler. */
export type MmHandler = (ctx: MmContext) => MmResult;

/** An error answer. */
export function fail(ctx: MmContext, status: number, err: readonly [string, string], name = ''): MmResult {
  return { status, body: appError(status, err, ctx.requestId, name) };
}

/** 403 with the permissions error. */
export function forbidden(ctx: MmContext): MmResult {
  return fail(ctx, 403, MM_ERRORS.permissions);
}

/** 400 `Invalid or missing {name} in request body.` */
export function invalid(ctx: MmContext, name: string): MmResult {
  return fail(ctx, 400, MM_ERRORS.invalidBody, name);
}

/** The body as an object (the spec check has already run). */
export function bodyObject(ctx: MmContext): Record<string, unknown> {
  const b = ctx.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** A string property of the body, or undefined. */
export function str(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
