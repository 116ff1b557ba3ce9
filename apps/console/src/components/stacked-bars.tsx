import type { ChartData } from '../lib/series';

/** Ten distinguishable colours (Tableau 10), and grey for the summed rest. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const OTHER_COLOUR = '#8c8c8c';

export function colourOf(index: number, other: boolean): string {
  return other ? OTHER_COLOUR : PALETTE[index % PALETTE.length];
}

/** A round number at or above `max`, so the axis reads 0, ¼, ½, ¾ of it. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= max) ?? 10;
  return step * magnitude;
}

/**
 * Stacked bars drawn as SVG: one column per bucket, one colour per group. The SVG stretches to its
 * box (so it fits a phone and a laptop alike) while labels are HTML, which stays readable; the table
 * under each chart carries the same numbers for keyboard and screen-reader users.
 */
export function StackedBars({ data, label, format, bucketLabel }: { data: ChartData; label: string; format: (n: number) => string; bucketLabel: (iso: string) => string }) {
  const n = data.buckets.length;
  const totals = data.buckets.map((_, i) => data.values.reduce((sum, series) => sum + (series[i] ?? 0), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const ticks = [1, 0.75, 0.5, 0.25, 0];
  const xLabels = n <= 1 ? [0] : [0, Math.floor((n - 1) / 2), n - 1];
  return (
    <figure class="chart">
      <div class="chart-plot">
        <div class="chart-y" aria-hidden="true">
          {ticks.map((t) => (
            <span style={{ top: `${(1 - t) * 100}%` }}>{format(top * t)}</span>
          ))}
        </div>
        <svg class="chart-svg" viewBox={`0 0 ${Math.max(1, n)} 100`} preserveAspectRatio="none" role="img" aria-label={label}>
          {ticks.map((t) => (
            <line x1={0} x2={Math.max(1, n)} y1={(1 - t) * 100} y2={(1 - t) * 100} class="chart-grid" vector-effect="non-scaling-stroke" />
          ))}
          {data.buckets.map((bucket, i) => {
            let y = 100;
            return (
              <g key={bucket}>
                {data.groups.map((group, g) => {
                  const value = data.values[g][i] ?? 0;
                  if (value <= 0) return null;
                  const h = (value / top) * 100;
                  y -= h;
                  return (
                    <rect x={i + 0.1} width={0.8} y={y} height={h} fill={colourOf(g, group.other)}>
                      <title>
                        {bucketLabel(bucket)} · {group.name}: {format(value)}
                      </title>
                    </rect>
                  );
                })}
              </g>
            );
          })}
        </svg>
      </div>
      <div class="chart-x" aria-hidden="true">
        {xLabels.map((i) => (data.buckets[i] ? <span>{bucketLabel(data.buckets[i])}</span> : null))}
      </div>
      <figcaption class="legend">
        {data.groups.map((group, g) => (
          <span class="legend-item">
            <span class="swatch" style={{ background: colourOf(g, group.other) }} />
            {group.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
