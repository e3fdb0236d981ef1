/** The management roles, ordered: every role can do what the roles below it can. */

/** A management role: `viewer` reads, `operator` acts on rollouts, approvals and jobs, `admin` does everything. */
export type Role = 'viewer' | 'operator' | 'admin';

/** The roles, lowest first. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** True when `role` is `required` or above it. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** True for one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The highest role among `values` (strings that are not roles are ignored), or `undefined`. */
export function highestRole(values: readonly unknown[]): Role | undefined {
  let best: Role | undefined;
  for (const v of values) if (isRole(v) && (best === undefined || hasRole(v, best))) best = v;
  return best;
}
