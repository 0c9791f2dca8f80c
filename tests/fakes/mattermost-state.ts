/**
 * State of the fake Mattermost server: users, teams, channels, posts, slash commands, dialogs and
 * trigger ids. Object shapes follow the spec's components (User, Team, Channel, Post, Command).
 */
import { randomBytes } from 'node:crypto';

export { appError, BUILTIN_TRIGGERS, MM_ERRORS } from './mattermost-errors.ts';

const ID_ALPHABET = 'abcdefghijkmnopqrstuwxyz13456789'; // model.NewId: base32 without ambiguous characters

/** A new id in Mattermost's form: 26 lowercase alphanumerics (model.NewId). */
export function newMattermostId(): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % 32];
  return id;
}

/** Whether a string is a valid Mattermost id (model.IsValidId: 26 alphanumerics). */
export function isValidMattermostId(id: string): boolean {
  return /^[A-Za-z0-9]{26}$/.test(id);
}

/** A user (spec: components.schemas.User). */
export interface FakeMmUser {
  id: string;
  username: string;
  locale: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  first_name: string;
  last_name: string;
  nickname: string;
  email: string;
  roles: string;
  is_bot: boolean;
  auth_service: string;
  timezone: { useAutomaticTimezone: string; manualTimezone: string; automaticTimezone: string };
  props: Record<string, unknown>;
}

/** A team (spec: components.schemas.Team). */
export interface FakeMmTeam {
  id: string;
  name: string;
  display_name: string;
  type: 'O' | 'I';
  create_at: number;
  update_at: number;
  delete_at: number;
}

/** A channel (spec: components.schemas.Channel). `O` public, `P` private, `D` direct. */
export interface FakeMmChannel {
  id: string;
  name: string;
  display_name: string;
  team_id: string;
  type: 'O' | 'P' | 'D' | 'G';
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  total_msg_count: number;
  creator_id: string;
  header: string;
  purpose: string;
}

/** A stored post (spec: components.schemas.Post). Stored unsanitised: action integrations are kept. */
export interface FakeMmPost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  file_ids: string[];
  pending_post_id: string;
  metadata: Record<string, unknown>;
}

/** A custom slash command (spec: components.schemas.Command). */
export interface FakeMmCommand {
  id: string;
  token: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  team_id: string;
  trigger: string;
  method: string;
  username: string;
  icon_url: string;
  auto_complete: boolean;
  auto_complete_desc: string;
  auto_complete_hint: string;
  display_name: string;
  description: string;
  url: string;
}

/** A custom command as the server stores one: the given fields over its defaults (empty texts, no autocomplete). */
export function fakeCommand(
  f: Pick<FakeMmCommand, 'id' | 'token' | 'create_at' | 'creator_id' | 'team_id'> & Partial<FakeMmCommand>,
): FakeMmCommand {
  return {
    update_at: f.create_at,
    delete_at: 0,
    trigger: '',
    method: '',
    username: '',
    icon_url: '',
    auto_complete: false,
    auto_complete_desc: '',
    auto_complete_hint: '',
    display_name: '',
    description: '',
    url: '',
    ...f,
  };
}

/** A dialog opened through POST /api/v4/actions/dialogs/open. */
export interface FakeMmDialog {
  trigger_id: string;
  /** The user the trigger id was issued for (the dialog opens in that user's client). */
  user_id: string;
  url: string;
  dialog: Record<string, unknown>;
  opened_at: number;
}

/** An ephemeral post sent through POST /api/v4/posts/ephemeral. */
export interface FakeMmEphemeral {
  user_id: string;
  post: FakeMmPost;
}

/** The fake server's data. Tests may read and change it directly. */
export class FakeMmStore {
  users = new Map<string, FakeMmUser>();
  teams = new Map<string, FakeMmTeam>();
  channels = new Map<string, FakeMmChannel>();
  /** Channel id → member user ids. */
  members = new Map<string, Set<string>>();
  posts: FakeMmPost[] = [];
  ephemerals: FakeMmEphemeral[] = [];
  commands = new Map<string, FakeMmCommand>();
  dialogs: FakeMmDialog[] = [];
  /** Trigger id → user id and issue time. */
  triggers = new Map<string, { userId: string; issuedAt: number }>();
  /** `${userId}:${pending_post_id}` → post id and time, for de-duplication. */
  pending = new Map<string, { postId: string; at: number }>();

  constructor(readonly now: () => number) {}

  addUser(u: { id?: string; username: string; locale?: string; is_bot?: boolean } & Partial<FakeMmUser>): FakeMmUser {
    const id = u.id ?? newMattermostId();
    if (!isValidMattermostId(id)) throw new Error(`fake Mattermost: user id ${id} is not 26 alphanumerics`);
    const t = this.now();
    const user: FakeMmUser = {
      create_at: t,
      update_at: t,
      delete_at: 0,
      first_name: '',
      last_name: '',
      nickname: '',
      email: `${u.username}@example.invalid`,
      roles: u.is_bot ? 'system_user system_post_all' : 'system_user',
      is_bot: false,
      auth_service: '',
      timezone: { useAutomaticTimezone: 'true', manualTimezone: '', automaticTimezone: 'Asia/Tokyo' },
      props: {},
      ...u,
      id,
      locale: u.locale ?? 'en',
    };
    this.users.set(id, user);
    return user;
  }

  /** Adds a team, or returns the existing one of that name. */
  addTeam(t: { id?: string; name: string; display_name?: string }): FakeMmTeam {
    const existing = this.teamByName(t.name);
    if (existing) return existing;
    const id = t.id ?? newMattermostId();
    if (!isValidMattermostId(id)) throw new Error(`fake Mattermost: team id ${id} is not 26 alphanumerics`);
    const now = this.now();
    const team: FakeMmTeam = {
      id,
      name: t.name,
      display_name: t.display_name ?? t.name,
      type: 'I',
      create_at: now,
      update_at: now,
      delete_at: 0,
    };
    this.teams.set(id, team);
    return team;
  }

  teamByName(name: string): FakeMmTeam | undefined {
    return [...this.teams.values()].find((t) => t.name === name);
  }

  addChannel(c: {
    id?: string;
    name: string;
    team?: string;
    display_name?: string;
    type?: FakeMmChannel['type'];
    members?: string[];
  }): FakeMmChannel {
    const id = c.id ?? newMattermostId();
    if (!isValidMattermostId(id)) throw new Error(`fake Mattermost: channel id ${id} is not 26 alphanumerics`);
    const team = c.team === undefined ? undefined : (this.teams.get(c.team) ?? this.addTeam({ name: c.team }));
    const now = this.now();
    const channel: FakeMmChannel = {
      id,
      name: c.name,
      display_name: c.display_name ?? c.name,
      team_id: team?.id ?? '',
      type: c.type ?? 'O',
      create_at: now,
      update_at: now,
      delete_at: 0,
      last_post_at: 0,
      total_msg_count: 0,
      creator_id: '',
      header: '',
      purpose: '',
    };
    this.channels.set(id, channel);
    this.members.set(id, new Set(c.members ?? []));
    return channel;
  }

  isMember(channelId: string, userId: string): boolean {
    return this.members.get(channelId)?.has(userId) ?? false;
  }

  /** Issues a trigger id in the server's format: base64(`clientId:userId:millis:signature`). */
  issueTriggerId(userId: string): string {
    const at = this.now();
    const sig = randomBytes(48).toString('base64');
    const id = Buffer.from(`${newMattermostId()}:${userId}:${at}:${sig}`).toString('base64');
    this.triggers.set(id, { userId, issuedAt: at });
    return id;
  }
}
