/** Roles of PRODUCT.md §1. A person may hold several; admin may do everything. */
import { ALL_ORG_ROLES, isMember } from '../domain/sharing.ts';

export const ROLES = ['admin', 'coordinator', 'approver', 'poc', 'ciso'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/** NISC's roles see every organisation's data (the rule itself: src/domain/sharing.ts). */
export const NISC_ROLES: readonly Role[] = ALL_ORG_ROLES;

/**
 * Who may run a command:
 * - `anyone`: even a stranger (help);
 * - `person`: anyone the directory knows, roles or not (lang: their own language);
 * - `registered`: a person who holds at least one role now: someone whose roles were all
 *   removed sees nothing of any organisation (src/domain/sharing.ts);
 * - a list of roles: the holders of one of them (admin always included).
 */
export type Access = 'anyone' | 'person' | 'registered' | readonly Role[];

export function allowed(access: Access, roles: ReadonlySet<Role>, registered: boolean): boolean {
  if (access === 'anyone') return true;
  if (access === 'person') return registered;
  if (access === 'registered') return registered && isMember({ roles });
  return roles.has('admin') || access.some((r) => roles.has(r));
}
