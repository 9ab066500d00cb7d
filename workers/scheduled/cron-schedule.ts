// The cron expressions of wrangler.toml [triggers], named once for the handler and the local stack.
export const hourlyRefreshCron = '0 * * * *';
export const dailyHousekeepingCron = '15 0 * * *';
