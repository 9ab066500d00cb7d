// The reader's choice of time zone for every time on the page: their own by default, UTC on
// request (invoices, days and the API all speak UTC), remembered across visits.
import { createModel, signal } from '@preact/signals';
import type { TimeZoneChoice } from '../shared/format.ts';

const storageKey = 'switchboard.dashboard.time_zone';

export interface ChoiceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface DisplayDeps {
  /** Where the choice is remembered (localStorage); null when the browser refuses storage. */
  storage: ChoiceStorage | null;
}

export const DisplayModel = createModel((deps: DisplayDeps) => {
  const saved = safely(() => deps.storage?.getItem(storageKey));
  const timeZone = signal<TimeZoneChoice>(saved === 'utc' ? 'utc' : 'local');

  return {
    timeZone,
    setTimeZone(choice: TimeZoneChoice) {
      timeZone.value = choice;
      safely(() => deps.storage?.setItem(storageKey, choice));
    },
  };
});

export type Display = InstanceType<typeof DisplayModel>;

/** Storage can refuse (private windows, disabled cookies): the choice then lasts for the visit. */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
