/**
 * People and channels as Mattermost users write them: `@username` (looked up with
 * GET /users/username/{name}) and `~channel-name` (GET /teams/name/{team}/channels/name/{name},
 * the team being MATTERMOST_TEAM or the team the command came from). Ids and
 * `mattermost:<id>` identities are taken as they are.
 */
import type { RefResolver } from '../../core/command.ts';
import { UserError } from '../../core/errors.ts';
import { type MmApi, MmApiError } from './api.ts';

const ID = /^[a-z0-9]{26}$/;
const IDENTITY = /^mattermost:([a-z0-9]{26})$/;
const USERNAME = /^@?([a-z0-9][a-z0-9._-]{0,63})$/i;
const CHANNEL = /^~?([a-z0-9][a-z0-9_-]{0,63})$/i;

/** A resolver for one request; `team` is the team name to look channels up in. */
export function mattermostRefs(api: MmApi, team: string | null): RefResolver {
  return {
    async user(ref) {
      const r = ref.trim();
      const m = IDENTITY.exec(r);
      if (m) return `mattermost:${m[1]}`;
      const name = USERNAME.exec(r)?.[1];
      if (!name) throw new UserError('mattermost.user_not_found', { user: r });
      try {
        const u = await api.get<{ id: string }>(`/users/username/${encodeURIComponent(name.toLowerCase())}`);
        return `mattermost:${u.id}`;
      } catch (e) {
        // a bare 26-character word may be an id rather than a username
        if (notFound(e) && ID.test(r)) return `mattermost:${r}`;
        if (notFound(e)) throw new UserError('mattermost.user_not_found', { user: r });
        throw e;
      }
    },
    async channel(ref) {
      const r = ref.trim();
      if (ID.test(r)) return { id: r, name: r };
      const name = CHANNEL.exec(r)?.[1]?.toLowerCase();
      if (!name) throw new UserError('mattermost.channel_not_found', { channel: r, team: team ?? '-' });
      if (!team) throw new UserError('mattermost.no_team', { channel: r });
      try {
        const ch = await api.get<{ id: string; name: string }>(
          `/teams/name/${encodeURIComponent(team)}/channels/name/${encodeURIComponent(name)}`,
        );
        return { id: ch.id, name: ch.name };
      } catch (e) {
        if (notFound(e)) throw new UserError('mattermost.channel_not_found', { channel: r, team });
        throw e;
      }
    },
  };
}

function notFound(e: unknown): boolean {
  return e instanceof MmApiError && (e.status === 404 || e.status === 403);
}
