/** Roles of PRODUCT.md §1. A person may hold several; admin may do everything. */
export const ROLES = ['admin', 'coordinator', 'approver', 'poc', 'ciso'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/** NISC's roles see every organisation's data. */
export const NISC_ROLES: readonly Role[] = ['admin', 'coordinator', 'approver'];

/**
 * Who may run a command: anyone (even a stranger), any registered person, or the holders
 * of one of the listed roles (admin always included).
 */
export type Access = 'anyone' | 'registered' | readonly Role[];

export function allowed(access: Access, roles: ReadonlySet<Role>, registered: boolean): boolean {
  if (access === 'anyone') return true;
  if (access === 'registered') return registered;
  return roles.has('admin') || access.some((r) => roles.has(r));
}
