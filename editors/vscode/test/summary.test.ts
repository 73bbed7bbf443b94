import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { categoryOf, DEFAULT_SEVERITY, severityMap, statusView, summarise, type DiagnosticFacts } from '../src/logic/summary';

const drift = (severity: DiagnosticFacts['severity'], data?: unknown): DiagnosticFacts => ({ source: 'moment-sync', severity, data });

describe('summarise', () => {
  it('counts only moment-sync diagnostics, by category', () => {
    const summary = summarise([
      drift('information'),
      drift('warning'),
      drift('warning'),
      { source: 'ts', severity: 'error', data: undefined },
      { source: undefined, severity: 'error', data: undefined },
    ]);
    assert.deepEqual(summary, { total: 3, perCategory: { 1: 1, 2: 2, 3: 0 }, unknown: 0, highest: 2, specHints: 0 });
  });

  it('reads the category from data before the severity', () => {
    const summary = summarise([drift('information', { category: 3, id: 'abc' })]);
    assert.equal(summary.highest, 3);
  });

  it('counts spec-side hints apart: their points are counted in the implementation', () => {
    const summary = summarise([
      drift('error', { category: 3, side: 'implementation', counted: true }),
      drift('information', { category: 1, side: 'implementation', counted: true }),
      drift('hint', { category: 1, side: 'spec', counted: false }),
    ]);
    assert.equal(summary.total, 2);
    assert.equal(summary.specHints, 1);
    assert.deepEqual(summary.perCategory, { 1: 1, 2: 0, 3: 1 });
    assert.match(statusView(summary).tooltip, /1 spec-side hint \(items the implementation lacks, counted above\)/);
  });

  it('is empty without diagnostics', () => {
    assert.deepEqual(summarise([]), { total: 0, perCategory: { 1: 0, 2: 0, 3: 0 }, unknown: 0, highest: undefined, specHints: 0 });
  });
});

describe('categoryOf', () => {
  it('maps severities back through the configured map', () => {
    const map = severityMap({ '1': 'hint', '3': 'warning', '2': 'error' });
    assert.equal(categoryOf(drift('hint'), map), 1);
    assert.equal(categoryOf(drift('error'), map), 2);
    assert.equal(categoryOf(drift('warning'), map), 3);
  });

  it('gives up when two categories share a severity', () => {
    const map = severityMap({ '1': 'warning' });
    assert.equal(categoryOf(drift('warning'), map), undefined);
    assert.equal(categoryOf(drift('error'), map), 3);
  });

  it('ignores a data category out of range', () => {
    assert.equal(categoryOf(drift('error', { category: 7 }), DEFAULT_SEVERITY), 3);
  });
});

describe('severityMap', () => {
  it('keeps the defaults for missing or invalid entries', () => {
    assert.deepEqual(severityMap({ '2': 'error', '3': 'fatal' }), { 1: 'information', 2: 'error', 3: 'error' });
    assert.deepEqual(severityMap(undefined), DEFAULT_SEVERITY);
  });
});

describe('statusView', () => {
  it('shows a check mark without drift', () => {
    const view = statusView(summarise([]));
    assert.equal(view.text, '$(check) moment-sync');
    assert.equal(view.level, 'ok');
  });

  it('shows the count and highest category', () => {
    const view = statusView(summarise([drift('information'), drift('warning')]));
    assert.equal(view.text, '$(warning) 2 drift points · cat 2');
    assert.equal(view.level, 'warning');
    assert.equal(
      view.tooltip,
      'moment-sync: 2 drift points\n1 × category 1 (clean apply)\n1 × category 2 (manageable drift)\nClick to open the Problems view.',
    );
  });

  it('marks breaking drift as an error', () => {
    const view = statusView(summarise([drift('error')]));
    assert.equal(view.text, '$(error) 1 drift point · cat 3');
    assert.equal(view.level, 'error');
  });

  it('counts diagnostics of unknown category', () => {
    const view = statusView(summarise([drift('hint')]));
    assert.equal(view.text, '$(warning) 1 drift point');
    assert.match(view.tooltip, /1 × category unknown/);
  });
});
