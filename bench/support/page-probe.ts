// What a page did, read inside Chromium: when it first showed its data, when it was whole, and
// the waterfall of requests that led there. A stage is defined by the page's own elements (tiles
// with values, a drawn chart, a table row), found by a MutationObserver installed before any page
// script runs, and timed at the first animation frame after the DOM holds them (the frame that
// paints them), in ms since navigation start (performance.timeOrigin). The scripts are strings because the
// bench compiles without the DOM library.
import type { Page } from 'playwright-core';

/** A stage is reached once every selector matches at least `count` elements. */
export interface ReadyCheck {
  selector: string;
  count: number;
}

/** What the page shows first (its figures) and once it is whole (its charts drawn too). */
export interface Stages {
  data: ReadyCheck[];
  complete: ReadyCheck[];
}

export type StageName = keyof Stages;

export interface RequestTiming {
  /** Path and query, e.g. "/api/customer/usage?days=30". */
  path: string;
  initiator: string;
  startMs: number;
  endMs: number;
}

export interface StageTiming {
  /** When the DOM first held the stage's elements. */
  inDomMs: number;
  /** The first animation frame after that: the frame that paints them. */
  shownMs: number;
}

export interface PageTimeline {
  stages: Record<StageName, StageTiming>;
  html: { requestStartMs: number; firstByteMs: number; endMs: number; domContentLoadedMs: number };
  requests: RequestTiming[];
  /** performance.mark()s the page set itself (e.g. dashboard:first-figures). */
  marks: Record<string, number>;
}

const stateName = '__benchShown';

/** Installs the observer for every document the page opens from now on. */
export async function watchStages(page: Page, stages: Stages): Promise<void> {
  await page.addInitScript({
    content: `(() => {
      const stages = ${JSON.stringify(stages)};
      const state = Object.fromEntries(Object.keys(stages).map((name) => [name, { inDomMs: null, shownMs: null }]));
      window.${stateName} = state;
      const reached = (checks) => checks.every((check) => document.querySelectorAll(check.selector).length >= check.count);
      const observer = new MutationObserver(() => {
        const now = performance.now();
        for (const [name, checks] of Object.entries(stages)) {
          const stage = state[name];
          if (stage.inDomMs !== null || !reached(checks)) continue;
          stage.inDomMs = now;
          requestAnimationFrame(() => { stage.shownMs = performance.now(); });
        }
        if (Object.values(state).every((stage) => stage.inDomMs !== null)) observer.disconnect();
      });
      observer.observe(document, { childList: true, subtree: true });
    })();`,
  });
}

/** Waits until the page has reached every stage, then reads its timeline. */
export async function readTimeline(page: Page, timeoutMs: number): Promise<PageTimeline> {
  try {
    await page.waitForFunction(`window.${stateName} && Object.values(window.${stateName}).every((stage) => stage.shownMs !== null)`, undefined, {
      timeout: timeoutMs,
      polling: 50,
    });
  } catch (error) {
    const reached = await page.evaluate<unknown>(`window.${stateName} ?? null`).catch(() => 'unreadable');
    throw new Error(`${page.url()} did not reach every stage within ${timeoutMs} ms (reached: ${JSON.stringify(reached)})`, { cause: error });
  }
  return page.evaluate<PageTimeline>(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const stages = window.${stateName};
    const requests = performance.getEntriesByType('resource').map((entry) => {
      const url = new URL(entry.name);
      return { path: url.pathname + url.search, initiator: entry.initiatorType, startMs: entry.startTime, endMs: entry.responseEnd };
    });
    const marks = Object.fromEntries(performance.getEntriesByType('mark').map((mark) => [mark.name, mark.startTime]));
    return {
      stages,
      html: { requestStartMs: nav.requestStart, firstByteMs: nav.responseStart, endMs: nav.responseEnd, domContentLoadedMs: nav.domContentLoadedEventEnd },
      requests,
      marks,
    };
  })()`);
}
