// The newest migration this Worker's code expects. /healthz reports Postgres as behind until it
// is applied; a unit test keeps this equal to the newest file in migrations/.
export const expectedMigration = '0010_customer_overview_moved_by_changes.sql';
