// Chart colours come from the page's theme (ui/shared/theme.css): the Okabe-Ito series palette and
// the text and border tokens, read when a chart is built. Charts rebuild when the system switches
// between light and dark, because canvas pixels do not follow CSS.
import { signal } from '@preact/signals';

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
export const prefersDark = signal(darkQuery.matches);
darkQuery.addEventListener('change', (event) => {
  prefersDark.value = event.matches;
});

function token(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export interface ChartColours {
  series: (index: number) => string;
  /** The theme's link colour: a single line that must stand out on either background. */
  accent: string;
  text: string;
  grid: string;
}

export function chartColours(): ChartColours {
  return {
    series: (index) => token(`--series-${index}`) || token('--color-accent'),
    accent: token('--color-accent'),
    text: token('--color-text-muted'),
    grid: token('--color-border'),
  };
}
