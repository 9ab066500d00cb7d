// What a meter last told the AlertDesk about each of its conditions, kept in the meter's storage,
// so it sends only changes (and any change of value while breached), resends after a failed
// call, and knows to keep ticking while a condition is not healthy.
import type { AlertObservation } from './alert-types.ts';

export class ConditionTracker {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec('CREATE TABLE IF NOT EXISTS alert_conditions (dedup_key TEXT PRIMARY KEY, state TEXT NOT NULL, value REAL NOT NULL)');
  }

  /** The observations the desk has not heard yet. */
  changed(observations: readonly AlertObservation[]): AlertObservation[] {
    return observations.filter((obs) => {
      const last = this.sql.exec<{ state: string; value: number }>('SELECT state, value FROM alert_conditions WHERE dedup_key = ?', obs.dedupKey).toArray()[0];
      if (!last) return obs.state !== 'healthy';
      return last.state !== obs.state || (obs.state === 'breached' && last.value !== obs.value);
    });
  }

  sent(observations: readonly AlertObservation[]): void {
    for (const obs of observations) {
      if (obs.state === 'healthy') this.sql.exec('DELETE FROM alert_conditions WHERE dedup_key = ?', obs.dedupKey);
      else this.sql.exec('INSERT OR REPLACE INTO alert_conditions (dedup_key, state, value) VALUES (?, ?, ?)', obs.dedupKey, obs.state, obs.value);
    }
  }

  anyUnhealthy(): boolean {
    return this.sql.exec('SELECT 1 FROM alert_conditions LIMIT 1').toArray().length > 0;
  }
}
