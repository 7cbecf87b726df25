import { describe, expect, it } from 'vitest';
import { resultsTableSection } from '../src/sections/results-table.js';
import { fixtureResults } from './fixtures.js';

function table(results: ReturnType<typeof fixtureResults>): string {
  return String(resultsTableSection(results));
}

describe('the results table', () => {
  it('has a trainable params column only when some row trained the backbone', () => {
    const frozen = fixtureResults();
    expect(table(frozen)).not.toContain('trainable params');
    expect(table(frozen)).toContain('colspan="5"');

    const tuned = fixtureResults();
    const knn = tuned.cells.find((cell) => cell.protocol === 'knn')!;
    const testRow = knn.result!.rows.find((row) => row.split === 'test')!;
    // 1 234 567 of 36 311 000 parameters: 1.2 M, 3.3999 % → 3.4 %.
    testRow.parameters = { trainable: 1_234_567, total: 36_311_000 };
    const html = table(tuned);
    expect(html).toContain('<th>value [low, high]</th><th>trainable params</th><th>other metrics</th>');
    expect(html).toContain('<td class="parameters">1.2 M (3.4 %)</td>');
    expect(html).toContain('<td class="parameters"></td>');
    // The failed cell's status line still spans every column after the protocol.
    expect(html).toContain('colspan="6"');
  });
});
