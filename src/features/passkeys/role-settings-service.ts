import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, StaffRole } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/audit-service.ts';

/** The roles an administrator sets rules for; partner and statistics users come in later issues. */
export const configurableRoles = ['admin', 'coordinator', 'advisor'] as const satisfies readonly StaffRole[];
export type ConfigurableRole = (typeof configurableRoles)[number];

/** Whether password + TOTP is not enough for this role: its users must sign in with a passkey. */
export async function isPasskeyRequired(db: Database, role: StaffRole): Promise<boolean> {
  const row = await db
    .selectFrom('role_setting')
    .select('require_passkey')
    .where('role', '=', role)
    .executeTakeFirst();
  return row?.require_passkey ?? false;
}

/** The roles that require a passkey now (a role without a row requires none). */
export async function rolesRequiringPasskey(db: Database): Promise<ConfigurableRole[]> {
  const rows = await db
    .selectFrom('role_setting')
    .select('role')
    .where('require_passkey', '=', true)
    .execute();
  return configurableRoles.filter((role) => rows.some((r) => r.role === role));
}

/**
 * Saves which roles require a passkey. Only roles whose setting changes are written, each with an
 * audit row in the same transaction; returns the roles that changed.
 */
export async function saveRolesRequiringPasskey(
  db: Database,
  required: readonly ConfigurableRole[],
  changedBy: AuditActor & { userId: string },
  requestId: string,
): Promise<ConfigurableRole[]> {
  return db.transaction().execute(async (trx) => {
    const current = await currentSettings(trx);
    const changed = configurableRoles.filter((role) => current.get(role) !== required.includes(role));
    for (const role of changed) {
      const requirePasskey = required.includes(role);
      await trx
        .insertInto('role_setting')
        .values({
          role,
          require_passkey: requirePasskey,
          updated_by: changedBy.userId,
          updated_at: new Date(),
        })
        .onConflict((oc) =>
          oc.column('role').doUpdateSet({
            require_passkey: requirePasskey,
            updated_by: changedBy.userId,
            updated_at: new Date(),
          }),
        )
        .execute();
      await recordAudit(trx, {
        action: 'config.role_setting_changed',
        actor: changedBy,
        entity: { type: 'role_setting', id: role },
        requestId,
        details: { role, require_passkey: requirePasskey },
      });
    }
    return changed;
  });
}

async function currentSettings(trx: Transaction<DB>): Promise<Map<string, boolean>> {
  // Locks the rows there are, so two administrators saving at once each audit a real change.
  const rows = await trx.selectFrom('role_setting').select(['role', 'require_passkey']).forUpdate().execute();
  return new Map(
    configurableRoles.map((role) => [role, rows.find((r) => r.role === role)?.require_passkey ?? false]),
  );
}
