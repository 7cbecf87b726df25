import { describe, expect, it } from 'vitest';
import { issueSpan, issuesForEditor, pointerSegments } from '../../src/config/validate-report.js';

const config = `{
  // a comment, as radprobe allows
  "backbones": [{ "kind": "onnx", "model": "models/vit.onnx" }],
  "datasets": [{ "kind": "image-folder", "root": "\${env:DATA}/cxr" }, { "kind": "csv", "a/b": "x", }],
}`;

describe('radprobe validate --json in the editor', () => {
  it('keeps the issues only radprobe can know (variables, files) and drops syntax and schema ones, which VS Code reports', () => {
    const stdout = JSON.stringify({
      file: '/w/radprobe.json',
      valid: false,
      issues: [
        { line: 3, column: 40, pointer: '/backbones/0/model', message: 'Model file /w/models/vit.onnx does not exist', check: 'files' },
        { line: 4, column: 50, pointer: '/datasets/0/root', message: 'environment variable DATA is not set', check: 'variables' },
        { line: 4, column: 80, pointer: '/datasets/1/kind', message: "unknown dataset kind 'csvv'", check: 'schema' },
      ],
    });
    expect(issuesForEditor(stdout).map((issue) => issue.pointer)).toEqual(['/backbones/0/model', '/datasets/0/root']);
    expect(() => issuesForEditor('radprobe: cannot read')).toThrow(/did not print JSON/);
  });

  it('places an issue on the whole value at its JSON pointer in the current text', () => {
    const model = issueSpan(config, '/backbones/0/model')!;
    expect(config.slice(model.offset, model.offset + model.length)).toBe('"models/vit.onnx"');
    const root = issueSpan(config, '/datasets/0/root')!;
    expect(config.slice(root.offset, root.offset + root.length)).toBe('"${env:DATA}/cxr"');
    const escaped = issueSpan(config, '/datasets/1/a~1b')!;
    expect(config.slice(escaped.offset, escaped.offset + escaped.length)).toBe('"x"');
    expect(issueSpan(config, '/datasets/2/root')).toBeNull();
  });

  it('reads pointer segments as JSON Pointer escapes them, array indices as numbers', () => {
    expect(pointerSegments('/datasets/10/a~1b~0c')).toEqual(['datasets', 10, 'a/b~c']);
    expect(pointerSegments('')).toEqual([]);
  });
});
