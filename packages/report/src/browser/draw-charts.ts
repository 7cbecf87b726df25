/// <reference lib="dom" />
import type { Chart, ChartConfiguration, Plugin } from 'chart.js';
import type { ChartSpec } from '../charts/chart-spec.js';

/**
 * Runs in the report page, not in Node: the page inlines this function's source and calls it with Chart.js and
 * the chart specs, so it must use nothing from outside its own body. Animation is off so that a chart's first
 * render is its final picture; once every chart has rendered, `document.body.dataset.chartsDrawn` holds their
 * number (what the browser test waits for). A chart that fails shows its error in place of the canvas.
 */
export function drawCharts(ChartLibrary: typeof Chart, specs: ChartSpec[]): void {
  const body = document.body;
  body.dataset.chartsExpected = String(specs.length);
  let drawn = 0;
  const counted = new Set<string>();
  const countFirstRender: Plugin = {
    id: 'radprobeCountFirstRender',
    afterRender(chart) {
      const id = chart.canvas.id;
      if (counted.has(id)) return;
      counted.add(id);
      drawn += 1;
      body.dataset.chartsDrawn = String(drawn);
    },
  };
  const three = (value: number) => value.toFixed(3);
  const seriesColours = ['#21918c', '#440154', '#5ec962', '#3b528b', '#e4572e', '#8a8a8a'];

  // Chart.js has no error bars: plugins draw each one as a vertical whisker with caps. An unreliable interval
  // (too few resamples defined the metric) is dashed and marked with a dagger above it, as the captions explain.
  function whisker(context: CanvasRenderingContext2D, x: number, top: number, bottom: number, unreliable = false): void {
    context.save();
    if (unreliable) {
      context.setLineDash([4, 3]);
      context.textAlign = 'center';
      context.textBaseline = 'bottom';
      context.font = 'bold 13px sans-serif';
      context.fillStyle = context.strokeStyle;
      context.fillText('†', x, top - 2);
    }
    context.beginPath();
    context.moveTo(x, top);
    context.lineTo(x, bottom);
    context.moveTo(x - 5, top);
    context.lineTo(x + 5, top);
    context.moveTo(x - 5, bottom);
    context.lineTo(x + 5, bottom);
    context.stroke();
    context.restore();
  }

  function perClassConfig(spec: Extract<ChartSpec, { kind: 'per-class' }>): ChartConfiguration {
    return {
      type: 'bar',
      data: { labels: spec.classes, datasets: spec.series.map((series, index) => ({ label: series.label, data: series.values, backgroundColor: seriesColours[index % seriesColours.length] })) },
      options: { scales: { y: { suggestedMin: 0, suggestedMax: 1, title: { display: true, text: spec.metric } } } },
    };
  }

  function seedSpreadConfig(spec: Extract<ChartSpec, { kind: 'seed-spread' }>): ChartConfiguration {
    const labels = spec.entries.map((entry) => entry.label);
    return {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            type: 'bar',
            label: 'mean ± std',
            data: spec.entries.map((entry) => [entry.mean - entry.std, entry.mean + entry.std]) as unknown as number[],
            backgroundColor: 'rgba(33, 145, 140, 0.25)',
            borderColor: 'rgb(33, 145, 140)',
            borderWidth: 1,
            barPercentage: 0.35,
          },
          {
            type: 'line',
            label: 'mean',
            data: spec.entries.map((entry) => entry.mean),
            showLine: false,
            pointStyle: 'line',
            pointRadius: 18,
            pointBorderWidth: 3,
            borderColor: 'rgb(33, 145, 140)',
          },
          {
            type: 'line',
            label: 'seeds',
            data: spec.entries.flatMap((entry) => entry.values.map((value, index) => ({ x: entry.label, y: value, seed: entry.seeds[index] }))) as unknown as number[],
            showLine: false,
            pointRadius: 4,
            backgroundColor: 'rgb(68, 1, 84)',
            borderColor: 'rgb(68, 1, 84)',
          },
        ],
      },
      options: {
        scales: { y: { beginAtZero: false, grace: '10%' } },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                if (item.datasetIndex !== 2) {
                  const entry = spec.entries[item.dataIndex];
                  return `mean ${three(entry.mean)} ± ${three(entry.std)} over ${entry.values.length} seeds`;
                }
                const point = item.raw as { y: number; seed: number };
                return `seed ${point.seed}: ${three(point.y)}`;
              },
            },
          },
        },
      },
    };
  }

  function fewshotCurveConfig(spec: Extract<ChartSpec, { kind: 'fewshot-curve' }>): ChartConfiguration<'line'> {
    // Each point's mean ± std as a whisker in its line's colour.
    const errorBars: Plugin<'line'> = {
      id: 'radprobeErrorBars',
      afterDatasetsDraw(chart) {
        const context = chart.ctx;
        const y = chart.scales.y;
        context.save();
        context.lineWidth = 1.5;
        spec.series.forEach((series, s) => {
          context.strokeStyle = seriesColours[s % seriesColours.length];
          chart.getDatasetMeta(s).data.forEach((point, i) => {
            const value = series.points[i];
            if (!value || value.std === 0) return;
            whisker(context, point.x, y.getPixelForValue(value.mean + value.std), y.getPixelForValue(value.mean - value.std));
          });
        });
        context.restore();
      },
    };
    return {
      type: 'line',
      data: {
        labels: spec.shots,
        datasets: spec.series.map((series, s) => ({
          label: series.label,
          data: series.points.map((point) => (point ? point.mean : null)),
          borderColor: seriesColours[s % seriesColours.length],
          backgroundColor: seriesColours[s % seriesColours.length],
          pointRadius: 4,
          spanGaps: true,
        })),
      },
      options: {
        scales: {
          x: { offset: true, title: { display: true, text: spec.axis } },
          y: { min: spec.valueAxis.min ?? undefined, max: spec.valueAxis.max ?? undefined, grace: '10%', title: { display: true, text: `TEST ${spec.metric}` } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const point = spec.series[item.datasetIndex].points[item.dataIndex]!;
                return `${spec.series[item.datasetIndex].label}: ${three(point.mean)} ± ${three(point.std)} over ${point.tries} tr${point.tries === 1 ? 'y' : 'ies'}`;
              },
            },
          },
        },
      },
      plugins: [errorBars],
    };
  }

  function rankScatterConfig(spec: Extract<ChartSpec, { kind: 'rank-scatter' }>): ChartConfiguration<'scatter'> {
    // Both axes reversed, so that the backbone best at both kinds of task sits top right; names beside the points.
    // Names and tooltips read the chart's own data, which the comparison page's script replaces when the reader
    // picks other columns for the ranking: one dataset per backbone, empty where it is not ranked on both.
    const names: Plugin<'scatter'> = {
      id: 'radprobeRankNames',
      afterDatasetsDraw(chart) {
        const context = chart.ctx;
        context.save();
        context.font = '12px sans-serif';
        context.textBaseline = 'middle';
        chart.data.datasets.forEach((dataset, index) => {
          const element = chart.getDatasetMeta(index).data[0];
          if (!dataset.data.length || !element) return;
          context.fillStyle = seriesColours[index % seriesColours.length];
          context.fillText(String(dataset.label), element.x + 9, element.y);
        });
        context.restore();
      },
    };
    // Half a rank of margin around 1..worstRank, so that no point sits on the frame; ticks only at whole ranks.
    const wholeRanks = Array.from({ length: spec.worstRank }, (_, index) => ({ value: index + 1 }));
    const axis = (text: string) => ({
      type: 'linear' as const,
      min: 0.5,
      max: spec.worstRank + 0.5,
      reverse: true,
      afterBuildTicks: (scale: { ticks: Array<{ value: number }> }) => {
        scale.ticks = wholeRanks;
      },
      title: { display: true, text },
    });
    return {
      type: 'scatter',
      data: {
        datasets: spec.points.map((point, index) => ({
          label: point.label,
          data: point.x === null || point.y === null ? [] : [{ x: point.x, y: point.y }],
          pointRadius: 7,
          backgroundColor: seriesColours[index % seriesColours.length],
          borderColor: seriesColours[index % seriesColours.length],
        })),
      },
      options: {
        scales: { x: axis('mean rank on segmentation (1 = best)'), y: axis('mean rank on classification (1 = best)') },
        plugins: {
          legend: { labels: { filter: (item, data) => data.datasets[item.datasetIndex ?? 0].data.length > 0 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: segmentation ${Number(item.parsed.x).toFixed(2)}, classification ${Number(item.parsed.y).toFixed(2)}` } },
        },
      },
      plugins: [names],
    };
  }

  function metricBarsConfig(spec: Extract<ChartSpec, { kind: 'metric-bars' }>): ChartConfiguration<'bar'> {
    // Each bar's reported interval as a dark whisker over it.
    const intervals: Plugin<'bar'> = {
      id: 'radprobeBarIntervals',
      afterDatasetsDraw(chart) {
        const context = chart.ctx;
        const y = chart.scales.y;
        context.save();
        context.lineWidth = 1.5;
        context.strokeStyle = '#1d1d1f';
        spec.series.forEach((series, s) => {
          chart.getDatasetMeta(s).data.forEach((element, i) => {
            const bar = series.bars[i];
            if (!bar || bar.low === null || bar.high === null) return;
            whisker(context, element.x, y.getPixelForValue(bar.high), y.getPixelForValue(bar.low), bar.unreliable === true);
          });
        });
        context.restore();
      },
    };
    return {
      type: 'bar',
      data: {
        labels: spec.categories,
        datasets: spec.series.map((series, s) => ({
          label: series.label,
          data: series.bars.map((bar) => (bar ? bar.mean : null)),
          backgroundColor: seriesColours[s % seriesColours.length],
        })),
      },
      options: {
        scales: { y: { suggestedMin: 0, suggestedMax: 1, title: { display: true, text: `TEST ${spec.metric}` } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const bar = spec.series[item.datasetIndex].bars[item.dataIndex]!;
                const interval = bar.low === null || bar.high === null ? '' : ` [${three(bar.low)}, ${three(bar.high)}]${bar.unreliable ? ' (unreliable)' : ''}`;
                return `${spec.series[item.datasetIndex].label}: ${three(bar.mean)} ± ${three(bar.std)}${interval}`;
              },
            },
          },
        },
      },
      plugins: [intervals],
    };
  }

  function classCurvesConfig(spec: Extract<ChartSpec, { kind: 'class-curves' }>): ChartConfiguration<'scatter'> {
    const roc = spec.curve === 'roc';
    // The chance line: the ROC diagonal (the PR curve's chance level differs per class, so it has none).
    const chance = roc ? [{ label: 'chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, borderColor: '#9a9a9a', borderDash: [5, 4], borderWidth: 1, pointRadius: 0 }] : [];
    const unit = (text: string) => ({ type: 'linear' as const, min: 0, max: 1, ticks: { stepSize: 0.2 }, title: { display: true, text } });
    return {
      type: 'scatter',
      data: {
        datasets: [
          ...spec.lines.map((line) => ({
            label: line.label,
            data: line.x.map((x, i) => ({ x, y: line.y[i] })),
            showLine: true,
            borderColor: line.colour,
            backgroundColor: line.colour,
            borderWidth: 2,
            pointRadius: 0,
          })),
          ...chance,
        ],
      },
      options: {
        scales: roc
          ? { x: unit('false-positive rate (1 − specificity)'), y: unit('true-positive rate (sensitivity)') }
          : { x: unit('recall (sensitivity)'), y: unit('precision (PPV)') },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 14 } }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: (${three(item.parsed.x ?? 0)}, ${three(item.parsed.y ?? 0)})` } } },
      },
    };
  }

  function settingCurveConfig(spec: Extract<ChartSpec, { kind: 'setting-curve' }>): ChartConfiguration<'line'> {
    const colour = '#21918c';
    const chosenColour = '#e4572e';
    const intervals: Plugin<'line'> = {
      id: 'radprobeSettingIntervals',
      afterDatasetsDraw(chart) {
        const context = chart.ctx;
        const y = chart.scales.y;
        context.save();
        context.lineWidth = 1.5;
        context.strokeStyle = colour;
        chart.getDatasetMeta(0).data.forEach((element, i) => {
          const point = spec.points[i];
          if (point.low === null || point.high === null) return;
          whisker(context, element.x, y.getPixelForValue(point.high), y.getPixelForValue(point.low), point.unreliable);
        });
        context.restore();
      },
    };
    return {
      type: 'line',
      data: {
        labels: spec.labels,
        datasets: [
          {
            label: spec.metric,
            data: spec.points.map((point) => point.value),
            borderColor: colour,
            backgroundColor: spec.points.map((point) => (point.chosen ? chosenColour : colour)),
            pointBorderColor: spec.points.map((point) => (point.chosen ? chosenColour : colour)),
            pointRadius: spec.points.map((point) => (point.chosen ? 8 : 4)),
            pointStyle: spec.points.map((point) => (point.chosen ? 'rectRot' : 'circle')),
          },
        ],
      },
      options: {
        // The y axis spans every point and whisker (a whisker cut by the frame would hide how wide an interval is).
        scales: {
          x: { offset: true, title: { display: true, text: spec.axis } },
          y: {
            grace: '5%',
            suggestedMin: Math.min(...spec.points.map((point) => point.low ?? point.value)),
            suggestedMax: Math.max(...spec.points.map((point) => point.high ?? point.value)),
            title: { display: true, text: spec.metric },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const point = spec.points[item.dataIndex];
                const interval = point.low === null || point.high === null ? '' : ` [${three(point.low)}, ${three(point.high)}]${point.unreliable ? ' (unreliable)' : ''}`;
                return `${spec.metric} ${three(point.value)}${interval}${point.chosen ? ' (chosen)' : ''}`;
              },
            },
          },
        },
      },
      plugins: [intervals],
    };
  }

  const configure = {
    'per-class': perClassConfig,
    'seed-spread': seedSpreadConfig,
    'fewshot-curve': fewshotCurveConfig,
    'rank-scatter': rankScatterConfig,
    'metric-bars': metricBarsConfig,
    'class-curves': classCurvesConfig,
    'setting-curve': settingCurveConfig,
  } as const;
  for (const spec of specs) {
    const canvas = document.getElementById(spec.canvasId) as HTMLCanvasElement;
    try {
      const config = configure[spec.kind](spec as never) as ChartConfiguration;
      config.options = { ...config.options, animation: false, responsive: true, maintainAspectRatio: false };
      config.plugins = [...(config.plugins ?? []), countFirstRender];
      new ChartLibrary(canvas, config);
    } catch (error) {
      const message = document.createElement('p');
      message.className = 'chart-error';
      message.textContent = `This chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
      canvas.replaceWith(message);
      body.dataset.chartErrors = String(Number(body.dataset.chartErrors ?? 0) + 1);
    }
  }
}
