// Repeats a task with a pause after each run ends (never overlapping runs, so a slow answer
// cannot stack requests), until stopped. Timers are passed in so tests can drive time.

export interface Timers {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

export interface Repeating {
  stop(): void;
  /** Runs the task now instead of at its next turn (unless a run is under way). */
  now(): void;
}

export function repeat(task: (signal: AbortSignal) => Promise<void>, everyMs: number, timers: Timers): Repeating {
  const controller = new AbortController();
  let timer: number | null = null;
  let running = false;

  const run = async (): Promise<void> => {
    timer = null;
    running = true;
    try {
      await task(controller.signal);
    } finally {
      running = false;
      if (!controller.signal.aborted) timer = timers.setTimeout(() => void run(), everyMs);
    }
  };
  void run();

  return {
    stop() {
      controller.abort();
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
    now() {
      if (running || controller.signal.aborted) return;
      if (timer !== null) timers.clearTimeout(timer);
      void run();
    },
  };
}
