// Chromium for the browser tests: the machine's /usr/bin/chromium driven by playwright-core, pages
// pinned to one locale and time zone so what they render does not depend on the machine.
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ImpactValue, Result, RunOptions } from 'axe-core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
const screenshotDir = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

export interface PinnedPageOptions {
  viewport: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/** A page in its own context (own cookies), en-US, UTC. Close it with `page.context().close()`. */
export async function newPinnedPage(browser: Browser, options: PinnedPageOptions): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  return context.newPage();
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = `${screenshotDir}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AccessibilityViolation {
  rule: string;
  impact: ImpactValue | undefined;
  help: string;
  /** One line per offending element: its selector and what axe says is wrong. */
  nodes: string[];
}

const blockingImpacts: ReadonlySet<ImpactValue | undefined> = new Set(['serious', 'critical']);

let axeSource: Promise<string> | undefined;
function loadAxeSource(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** Runs axe-core in the page as it is now and returns the serious and critical violations. */
export async function checkAccessibility(page: Page): Promise<AccessibilityViolation[]> {
  await page.addScriptTag({ content: await loadAxeSource() });
  const options: RunOptions = { resultTypes: ['violations'] };
  const violations = await page.evaluate(async (runOptions) => {
    const { axe } = globalThis as unknown as { axe: { run(options: RunOptions): Promise<{ violations: Result[] }> } };
    return (await axe.run(runOptions)).violations;
  }, options);
  return violations
    .filter((violation) => blockingImpacts.has(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
    }));
}

export async function hasFocus(locator: Locator): Promise<boolean> {
  return (await locator.and(locator.page().locator(':focus')).count()) === 1;
}

/** CSS pixels by which the page is wider than its viewport: 0 unless something forces sideways scrolling. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}
