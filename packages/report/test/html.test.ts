import { describe, expect, it } from 'vitest';
import { escapeHtml, html, rawHtml, scriptJson } from '../src/html.js';

describe('escapeHtml', () => {
  it('turns every markup character into an entity', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('html', () => {
  it('escapes interpolated strings and numbers, keeps SafeHtml, joins arrays and drops null', () => {
    const label = '<b>bold</b>';
    const page = html`<p title="${label}">${label} ${3} ${rawHtml('<i>ok</i>')} ${[html`<li>${'a&b'}</li>`, 'c<d']} ${null}${undefined}</p>`;
    expect(page.text).toBe('<p title="&lt;b&gt;bold&lt;/b&gt;">&lt;b&gt;bold&lt;/b&gt; 3 <i>ok</i> <li>a&amp;b</li>c&lt;d </p>');
  });
});

describe('scriptJson', () => {
  it('leaves no character that could end a script element or open a comment, and parses back unchanged', () => {
    const value = { label: '</script><!-- <img src=x onerror=alert(1)> & \u2028', values: [1, null] };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
  });
});
