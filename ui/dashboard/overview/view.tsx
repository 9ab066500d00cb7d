// This month at a glance: ten tiles, each with its sample, its trend in words, its explanation
// and its estimate status, then the last 30 days as charts.
import { useEffect } from 'preact/hooks';
import { formatDateTime, formatMonth, formatUpdatedAt } from '../../shared/format.ts';
import type { Display } from '../display.ts';
import { InfoTip } from '../info-tip.tsx';
import { ProblemNotice } from '../problem-notice.tsx';
import { UsageCharts } from '../usage/usage-view.tsx';
import { ViewHeading } from '../view-heading.tsx';
import type { OverviewState } from './model.ts';
import type { TileWords } from './tiles.ts';

/** Marked once the first figures are on screen: the bench reads it as the page's time to data. */
export const firstFiguresMark = 'dashboard:first-figures';

function Tile({ tile }: { tile: TileWords }) {
  const labelId = `tile-${tile.key}`;
  return (
    <li class="tile" data-metric={tile.key}>
      <div class="tile-head">
        <h3 id={labelId}>{tile.label}</h3>
        <InfoTip id={`explain-${tile.key}`} subject={tile.label} text={tile.explanation} />
      </div>
      {tile.headline !== null ? (
        <p class="tile-figure">
          <span class="tile-value">{tile.headline}</span>
          {tile.sample && <span class="tile-sample"> {tile.sample}</span>}
        </p>
      ) : (
        <p class="tile-figure tile-small-sample">{tile.sample}</p>
      )}
      {tile.trend && <p class="tile-trend">{tile.trend}</p>}
      {tile.estimated && <p class="tile-estimated">Estimated, reconciled daily</p>}
    </li>
  );
}

export function OverviewView({ model, display }: { model: OverviewState; display: Display }) {
  const overview = model.overview.value;
  const usage = model.usage.value;
  const zone = display.timeZone.value;

  useEffect(() => {
    if (overview && performance.getEntriesByName(firstFiguresMark).length === 0) performance.mark(firstFiguresMark);
  }, [overview]);

  return (
    <section aria-labelledby="overview-heading">
      <div class="section-head">
        <ViewHeading level={2} id="overview-heading">
          {overview ? `${formatMonth(overview.month)} so far` : 'This month so far'}
        </ViewHeading>
        {overview && (
          <p class="updated">
            <time dateTime={overview.as_of} title={formatDateTime(overview.as_of, 'utc')}>
              Updated {formatUpdatedAt(overview.as_of, zone)}
            </time>
            {' · '}figures refresh every hour
          </p>
        )}
      </div>
      {model.stale.value && (
        <div class="notice" role="status">
          <p>Showing the last figures we have; fresh ones are on their way.</p>
        </div>
      )}
      <ProblemNotice error={model.overviewError.value} what="this month's figures" onRetry={model.reload} />
      {overview ? (
        <ul class="tiles">
          {model.tiles.value.map((tile) => (
            <Tile key={tile.key} tile={tile} />
          ))}
        </ul>
      ) : (
        !model.overviewError.value && <p class="loading" role="status">Loading…</p>
      )}
      <h2 class="subsection">Last 30 days</h2>
      <ProblemNotice error={model.usageError.value} what="the daily figures" onRetry={model.reload} />
      {usage ? <UsageCharts days={usage} /> : !model.usageError.value && <p class="loading">Loading…</p>}
    </section>
  );
}
