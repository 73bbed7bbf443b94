// Reads the JSON report of `moment-sync check --format json` (schema version 1) and renders it as
// text for the output channel.
import { CATEGORY_TITLES, type Category } from './summary';

export interface Location {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export interface DriftPoint {
  readonly kind: string;
  readonly category: Category;
  readonly direction: string;
  readonly message: string;
  readonly spec: Location | null;
  readonly implementation: Location | null;
}

export interface CheckReport {
  readonly root: string;
  readonly outcome: string;
  readonly summary: { readonly driftPoints: number; readonly category1: number; readonly category2: number; readonly category3: number };
  readonly driftPoints: readonly DriftPoint[];
}

/** Parses the report; throws an Error that says what is wrong with the output. */
export function parseCheckReport(stdout: string): CheckReport {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`moment-sync check printed no valid JSON (${(error as Error).message}).`);
  }
  if (!isRecord(value) || value.schemaVersion !== 1) {
    throw new Error('moment-sync check printed JSON of an unknown schema (expected "schemaVersion": 1).');
  }
  if (typeof value.root !== 'string' || typeof value.outcome !== 'string' || !isRecord(value.summary) || !Array.isArray(value.driftPoints)) {
    throw new Error('moment-sync check printed a report without root, outcome, summary or driftPoints.');
  }
  return value as unknown as CheckReport;
}

/** The report as lines: a headline, the counts, then one line per drift point. */
export function formatCheckReport(report: CheckReport): string[] {
  const { summary } = report;
  const lines = [`moment-sync check ${report.root}: ${report.outcome}`];
  if (summary.driftPoints === 0) {
    lines.push('No drift: the implementation agrees with the spec.');
    return lines;
  }
  const counts = ([1, 2, 3] as const)
    .map((category) => ({ category, count: summary[`category${category}`] }))
    .filter(({ count }) => count > 0)
    .map(({ category, count }) => `${count} × category ${category} (${CATEGORY_TITLES[category]})`);
  lines.push(`${summary.driftPoints} drift point${summary.driftPoints === 1 ? '' : 's'}: ${counts.join(', ')}`);
  for (const point of report.driftPoints) {
    lines.push(`  ${where(point)}  ${point.kind} [category ${point.category}, ${point.direction}]  ${point.message}`);
  }
  return lines;
}

function where(point: DriftPoint): string {
  const location = point.implementation ?? point.spec;
  return location === null ? '(no location)' : `${location.path}:${location.line}:${location.column}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
