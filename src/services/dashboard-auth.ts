/**
 * Sign-in to the web dashboard (issue 21). `/csirt dashboard` issues a one-time link: a random
 * token, stored only as its SHA-256 digest, valid for LINK_TTL_MS, bound to the person, consumed
 * once (an update that matches only an unused, unexpired row: of two redemptions at once exactly
 * one changes the row). Redeeming opens a session: another random token (the HttpOnly cookie),
 * also stored hashed, which records a fingerprint of the roles that counted and the organisation
 * at sign-in. Every request reads the person again through the directory (the same `caller` the
 * chat commands get): when the fingerprint no longer matches, or the person holds no role, the
 * session is ended there and then. What a session may see is decided by the same service calls
 * the commands make, with that fresh caller.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../core/command.ts';
import { isMember } from '../domain/sharing.ts';
import { audit, type ServiceDeps } from './context.ts';
import type { DirectoryService } from './directory.ts';

/** How long a sign-in link stays valid. */
export const LINK_TTL_MS = 10 * 60_000;
/** How long a session lasts at most (a working day). */
export const SESSION_TTL_MS = 8 * 3_600_000;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(`csirt-dashboard:${token}`).digest('hex');
}

/** The roles that count now and the organisation: a change of either ends a session. */
export function rolesKey(c: Pick<Caller, 'roles' | 'org'>): string {
  const roles = [...c.roles].sort().join(',');
  return createHash('sha256')
    .update(`${roles}|${c.org?.id ?? ''}|${c.org?.coordinator ? 1 : 0}`)
    .digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface Opened {
  /** the cookie's value */
  session: string;
  caller: Caller;
}

export interface Session {
  caller: Caller;
  csrf: string;
  id: number;
}

export type SessionRefusal = 'none' | 'unknown' | 'expired' | 'roles_changed';

export class DashboardAuth {
  /** where links point: PUBLIC_URL, or the console's own address (set by app.ts once listening) */
  base: () => string = () => this.deps.publicUrl ?? 'http://127.0.0.1';

  constructor(
    private readonly deps: ServiceDeps,
    private readonly directory: DirectoryService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private callerOf(identity: string): Promise<Caller> {
    return this.directory.caller(identity, null, null, this.deps.locale);
  }

  /** A one-time link for the caller (who holds a role: the command's access says so). */
  async issueLink(caller: Caller): Promise<{ url: string; expiresAt: Date }> {
    if (caller.personId === null || !isMember(caller)) throw new Error('unreachable: the command is for members');
    const personId = caller.personId;
    const token = newToken();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
    await this.db.tx(async (tx) => {
      // spent links and sessions are kept no longer than they could be used
      await tx.dashboardLink.deleteMany({ where: { expiresAt: { lt: now } } });
      await tx.dashboardSession.deleteMany({ where: { expiresAt: { lt: now } } });
      await tx.dashboardLink.create({ data: { tokenHash: tokenHash(token), personId, expiresAt, createdAt: now } });
      await audit(this.deps, tx, caller.identity, 'dashboard.link', caller.identity, {
        expiresAt: expiresAt.toISOString(),
      });
    });
    return { url: `${this.base().replace(/\/+$/, '')}/dashboard/signin?t=${token}`, expiresAt };
  }

  /**
   * Consumes a link and opens a session, or null: unknown, used, expired, or its person holds no
   * role now. The update matches only an unused, unexpired row, so two redemptions at once
   * cannot both succeed.
   */
  async redeem(token: string): Promise<Opened | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const now = this.deps.clock.now();
    const hash = tokenHash(token);
    const personId = await this.db.tx(async (tx) => {
      const won = await tx.dashboardLink.updateMany({
        where: { tokenHash: hash, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (won.count !== 1) return null;
      return (await tx.dashboardLink.findUnique({ where: { tokenHash: hash } }))?.personId ?? null;
    });
    const person = personId === null ? null : await this.db.prisma.person.findUnique({ where: { id: personId } });
    if (!person) return null;
    // the person as the directory has them now (the link was consumed either way)
    const caller = await this.callerOf(person.identity);
    return this.db.tx(async (tx) => {
      if (!isMember(caller)) {
        await audit(this.deps, tx, person.identity, 'dashboard.signin_refused', person.identity, { reason: 'no_role' });
        return null;
      }
      const session = newToken();
      await tx.dashboardSession.create({
        data: {
          tokenHash: tokenHash(session),
          personId: person.id,
          rolesKey: rolesKey(caller),
          csrf: newToken(),
          expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
          createdAt: now,
        },
      });
      await audit(this.deps, tx, person.identity, 'dashboard.signin', person.identity, {
        roles: [...caller.roles].sort(),
        org: caller.org?.code ?? null,
      });
      return { session, caller };
    });
  }

  /**
   * The session behind a cookie value with its person as the directory has them now, or why
   * there is none. A session whose person's roles or organisation changed is deleted here.
   */
  async session(cookie: string | undefined): Promise<Session | { refused: SessionRefusal }> {
    if (!cookie || !/^[A-Za-z0-9_-]{20,100}$/.test(cookie)) return { refused: 'none' };
    const s = await this.db.prisma.dashboardSession.findUnique({ where: { tokenHash: tokenHash(cookie) } });
    if (!s) return { refused: 'unknown' };
    const now = this.deps.clock.now();
    if (s.expiresAt.getTime() <= now.getTime()) {
      await this.db.prisma.dashboardSession.deleteMany({ where: { id: s.id } });
      return { refused: 'expired' };
    }
    const person = await this.db.prisma.person.findUnique({ where: { id: s.personId } });
    const caller = person ? await this.callerOf(person.identity) : null;
    if (!caller || !isMember(caller) || !sameHex(rolesKey(caller), s.rolesKey)) {
      await this.end(s.id, person?.identity ?? `person:${s.personId}`, 'roles_changed');
      return { refused: 'roles_changed' };
    }
    return { caller, csrf: s.csrf, id: s.id };
  }

  /** Whether a form's CSRF token is the session's (constant time). */
  csrfMatches(s: Session, given: string | null | undefined): boolean {
    const a = createHash('sha256')
      .update(given ?? '')
      .digest();
    const b = createHash('sha256').update(s.csrf).digest();
    return !!given && timingSafeEqual(a, b);
  }

  /** Ends a session (sign-out, or the person's roles changed). */
  async end(id: number, identity: string, reason: 'signout' | 'roles_changed'): Promise<void> {
    await this.db.tx(async (tx) => {
      const gone = await tx.dashboardSession.deleteMany({ where: { id } });
      if (gone.count === 1) await audit(this.deps, tx, identity, 'dashboard.session_ended', identity, { reason });
    });
  }
}
