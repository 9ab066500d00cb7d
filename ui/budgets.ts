// How much JavaScript each page may make the browser download, gzipped (KB = 1000 bytes, the
// stricter reading). scripts/ui-budget.ts checks the build against it and the bench's ui part
// checks what Chromium actually fetched; issues 9 and 10 set the figures.
export const pageBudgets = {
  login: 40_000,
  ops: 60_000,
  dashboard: 40_000,
} as const satisfies Record<string, number>;

export type BudgetedPage = keyof typeof pageBudgets;

/** gzip level of the budgets: the best the edge can do, so a budget does not depend on a setting. */
export const budgetGzipLevel = 9;
