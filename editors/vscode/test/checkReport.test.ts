import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatCheckReport, parseCheckReport } from '../src/logic/checkReport';

const report = {
  schemaVersion: 1,
  root: '/work/shop',
  generatedDir: 'generated',
  implementationDir: 'src/domain',
  outcome: 'drift',
  summary: { specFiles: 1, specTypes: 1, driftPoints: 2, category1: 1, category2: 1, category3: 0 },
  driftPoints: [
    {
      id: 'a1',
      kind: 'missing-member',
      direction: 'spec-ahead',
      category: 1,
      symbol: 'Invoice',
      member: 'note',
      expected: 'string',
      actual: null,
      spec: { path: 'generated/billing/invoice.types.ts', line: 4, column: 3 },
      implementation: null,
      message: 'Invoice.note is missing',
      fixes: [],
    },
    {
      id: 'b2',
      kind: 'changed-type',
      direction: 'spec-ahead',
      category: 2,
      symbol: 'Invoice',
      member: 'total',
      expected: 'number',
      actual: 'string',
      spec: { path: 'generated/billing/invoice.types.ts', line: 3, column: 3 },
      implementation: { path: 'src/domain/billing/invoice.types.ts', line: 3, column: 3 },
      message: 'Invoice.total is `string` here but `number` in the spec',
      fixes: [],
    },
  ],
};

describe('parseCheckReport', () => {
  it('accepts a schema-1 report', () => {
    assert.equal(parseCheckReport(JSON.stringify(report)).outcome, 'drift');
  });

  it('explains output that is not JSON', () => {
    assert.throws(() => parseCheckReport('error: no such folder'), /moment-sync check printed no valid JSON/);
  });

  it('rejects another schema version', () => {
    assert.throws(() => parseCheckReport(JSON.stringify({ ...report, schemaVersion: 2 })), /unknown schema/);
  });

  it('rejects a report without drift points', () => {
    const withoutPoints = { ...report, driftPoints: undefined };
    assert.throws(() => parseCheckReport(JSON.stringify(withoutPoints)), /without root, outcome, summary or driftPoints/);
  });
});

describe('formatCheckReport', () => {
  it('prints a headline, the counts and one line per drift point', () => {
    assert.deepEqual(formatCheckReport(parseCheckReport(JSON.stringify(report))), [
      'moment-sync check /work/shop: drift',
      '2 drift points: 1 × category 1 (clean apply), 1 × category 2 (manageable drift)',
      '  generated/billing/invoice.types.ts:4:3  missing-member [category 1, spec-ahead]  Invoice.note is missing',
      '  src/domain/billing/invoice.types.ts:3:3  changed-type [category 2, spec-ahead]  Invoice.total is `string` here but `number` in the spec',
    ]);
  });

  it('says so when there is no drift', () => {
    const clean = { ...report, outcome: 'in-sync', summary: { ...report.summary, driftPoints: 0, category1: 0, category2: 0 }, driftPoints: [] };
    assert.deepEqual(formatCheckReport(parseCheckReport(JSON.stringify(clean))), [
      'moment-sync check /work/shop: in-sync',
      'No drift: the implementation agrees with the spec.',
    ]);
  });
});
