// The newest migration this Worker's code expects. /healthz reports Postgres as behind until it
// is applied; a unit test keeps this equal to the newest file in migrations/.
export const expectedMigration = '0011_customer_overview_sums_only_what_moved.sql';
