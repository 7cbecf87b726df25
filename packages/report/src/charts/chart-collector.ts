import type { ChartSpec } from './chart-spec.js';

type ChartData = ChartSpec extends infer Spec ? (Spec extends ChartSpec ? Omit<Spec, 'canvasId'> : never) : never;

/** Gathers the page's charts in document order and gives each its canvas id. */
export class ChartCollector {
  readonly specs: ChartSpec[] = [];

  add(data: ChartData): string {
    const canvasId = `chart-${this.specs.length + 1}`;
    this.specs.push({ ...data, canvasId } as ChartSpec);
    return canvasId;
  }
}
