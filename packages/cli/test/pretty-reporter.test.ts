import { describe, expect, it } from 'vitest';
import { prettyReporter } from '../src/reporters/pretty.js';

describe('pretty reporter', () => {
  it('prints a message naming a file with a newline or a terminal escape code escaped, on one line', () => {
    let written = '';
    const stream = { isTTY: false, write: (chunk: string) => ((written += chunk), true) } as unknown as NodeJS.WriteStream;
    const report = prettyReporter(stream);
    report({ type: 'log', level: 'warn', message: 'skipped /data/evil\n\u001b[2Jname.png: corrupt PNG' });
    report({ type: 'stage', stage: 'dataset', message: 'loading /data/\u001b]0;title\u0007' });
    expect(written).toBe('  warn: skipped /data/evil\\n\\x1b[2Jname.png: corrupt PNG\n• loading /data/\\x1b]0;title\\x07\n');
  });
});
