// A tooltip that follows the chart's cursor: the point's time and each series' value with its
// unit. Built from text nodes only, so no label can inject markup.
import type uPlot from 'uplot';

export interface TooltipFormat {
  time: (ms: number) => string;
  value: (value: number | null | undefined) => string;
}

export function tooltipPlugin(format: TooltipFormat): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;

  const show = (u: uPlot) => {
    if (!tip) return;
    const idx = u.cursor.idx;
    const left = u.cursor.left ?? -1;
    if (idx === null || idx === undefined || left < 0) {
      tip.hidden = true;
      return;
    }
    const time = u.data[0][idx];
    if (time === undefined) return;
    const lines = [format.time(time)];
    u.series.forEach((series, i) => {
      if (i === 0 || series.show === false) return;
      lines.push(`${typeof series.label === 'string' ? series.label : ''}: ${format.value(u.data[i]?.[idx])}`);
    });
    tip.replaceChildren(...lines.map((line, i) => Object.assign(document.createElement(i === 0 ? 'strong' : 'span'), { textContent: line })));
    tip.hidden = false;
    // Keep it inside the plot: flip to the cursor's left past the middle.
    const overWidth = u.over.clientWidth;
    const x = left > overWidth / 2 ? left - tip.offsetWidth - 12 : left + 12;
    tip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, (u.cursor.top ?? 0) - tip.offsetHeight - 8)}px)`;
  };

  return {
    hooks: {
      init: (u) => {
        tip = document.createElement('div');
        tip.className = 'chart-tooltip';
        tip.hidden = true;
        tip.setAttribute('aria-hidden', 'true');
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', () => {
          if (tip) tip.hidden = true;
        });
      },
      setCursor: show,
      destroy: () => {
        tip = null;
      },
    },
  };
}
