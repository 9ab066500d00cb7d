import { TimeChart } from '../charts/time-chart.tsx';
import { drillDownHref, type TimeWindow } from '../drill-down.ts';
import type { Router } from '../router.ts';
import type { Tone } from '../thresholds.ts';
import type { Overview, SparkView } from './model.ts';

const toneMarks: Record<Tone, string> = { good: '●', warn: '▲', bad: '■', unknown: '○' };

export function CoreTiles({ model, router }: { model: Overview; router: Router }) {
  const sparks = model.sparks.value;
  const stale = model.stale.value;
  return (
    <section aria-labelledby="now-heading" class="ops-section">
      <h2 id="now-heading">
        Now <span class="heading-note">last 5 minutes{stale ? ', not current' : ''}</span>
      </h2>
      {sparks.length === 0 ? (
        <p class="muted">Waiting for the first live values…</p>
      ) : (
        <div class={stale ? 'tiles tiles-stale' : 'tiles'}>
          {sparks.map((spark) => (
            <Tile key={spark.tile.id} spark={spark} model={model} router={router} />
          ))}
        </div>
      )}
    </section>
  );
}

function Tile({ spark, model, router }: { spark: SparkView; model: Overview; router: Router }) {
  const { tile } = spark;
  const tone = tile.judgement?.tone ?? 'unknown';
  const region = model.region.value;
  const liveWindow = model.liveWindow.value;
  const open = (picked: TimeWindow) => router.navigate(drillDownHref(picked, region, tile.drill));
  const sparkCaption = 'series' in tile.spark ? 'last hour' : 'since this page opened';
  return (
    <article class={`tile tone-${tile.judgement ? tone : 'none'}`} data-tile={tile.id} aria-labelledby={`tile-${tile.id}`}>
      <h3 id={`tile-${tile.id}`} class="tile-label" title={tile.explanation}>
        {tile.label}
      </h3>
      <p class="tile-value" data-testid="tile-value">
        <span class="tile-figure">{tile.value}</span> <span class="tile-detail">{tile.detail}</span>
      </p>
      {tile.judgement && (
        <p class="tile-state">
          <span aria-hidden="true">{toneMarks[tone]}</span> {tile.judgement.word}
        </p>
      )}
      <p class="visually-hidden">{tile.explanation}</p>
      <TimeChart
        label={`${tile.label}, ${sparkCaption}`}
        t={spark.t}
        columns={spark.columns}
        series={[{ label: tile.label, colour: 1 }]}
        unit={tile.sparkUnit}
        stepMs={spark.stepMs}
        height={44}
        compact
        onPick={open}
      />
      <p class="tile-footer">
        <span class="muted">{sparkCaption}</span>
        {liveWindow && (
          <a href={drillDownHref(liveWindow, region, tile.drill)} aria-label={`Calls behind ${tile.label}, last 5 minutes`}>
            Calls
          </a>
        )}
      </p>
    </article>
  );
}
