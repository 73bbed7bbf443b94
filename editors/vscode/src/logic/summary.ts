// Summarises the workspace's moment-sync diagnostics for the status bar.

export const SOURCE = 'moment-sync';

export type Category = 1 | 2 | 3;
export type SeverityName = 'error' | 'warning' | 'information' | 'hint';

export const CATEGORY_TITLES: Readonly<Record<Category, string>> = {
  1: 'clean apply',
  2: 'manageable drift',
  3: 'breaking',
};

/** The server's defaults; `momentSync.severity` overrides them per category. */
export const DEFAULT_SEVERITY: Readonly<Record<Category, SeverityName>> = {
  1: 'information',
  2: 'warning',
  3: 'error',
};

/** The parts of a diagnostic the summary reads. */
export interface DiagnosticFacts {
  readonly source: string | undefined;
  readonly severity: SeverityName;
  /** The diagnostic's `data` as the server sent it (may carry `category`). */
  readonly data: unknown;
}

export interface DriftSummary {
  readonly total: number;
  readonly perCategory: Readonly<Record<Category, number>>;
  /** Diagnostics whose category could not be told. */
  readonly unknown: number;
  readonly highest: Category | undefined;
  /** Spec-side hints about items the implementation lacks: counted apart, each of them is
   * already counted where the implementation lacks it (as `moment-sync check` counts). */
  readonly specHints: number;
}

/**
 * Counts the moment-sync diagnostics by category. The category is `data.category` when the server
 * sends it; otherwise it is read back from the severity, when the severity map gives each category
 * its own severity.
 */
export function summarise(
  diagnostics: Iterable<DiagnosticFacts>,
  severityMap: Readonly<Record<Category, SeverityName>> = DEFAULT_SEVERITY,
): DriftSummary {
  const perCategory: Record<Category, number> = { 1: 0, 2: 0, 3: 0 };
  let total = 0;
  let unknown = 0;
  let specHints = 0;
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== SOURCE) {
      continue;
    }
    if (!isCounted(diagnostic.data)) {
      specHints += 1;
      continue;
    }
    total += 1;
    const category = categoryOf(diagnostic, severityMap);
    if (category === undefined) {
      unknown += 1;
    } else {
      perCategory[category] += 1;
    }
  }
  const highest = ([3, 2, 1] as const).find((category) => perCategory[category] > 0);
  return { total, perCategory, unknown, highest, specHints };
}

/** The server marks the diagnostics that repeat a point elsewhere with `data.counted: false`. */
function isCounted(data: unknown): boolean {
  return !(typeof data === 'object' && data !== null && 'counted' in data && data.counted === false);
}

export function categoryOf(
  diagnostic: DiagnosticFacts,
  severityMap: Readonly<Record<Category, SeverityName>>,
): Category | undefined {
  const fromData = categoryFromData(diagnostic.data);
  if (fromData !== undefined) {
    return fromData;
  }
  const matching = ([1, 2, 3] as const).filter((category) => severityMap[category] === diagnostic.severity);
  return matching.length === 1 ? matching[0] : undefined;
}

function categoryFromData(data: unknown): Category | undefined {
  if (typeof data !== 'object' || data === null || !('category' in data)) {
    return undefined;
  }
  const category = data.category;
  return category === 1 || category === 2 || category === 3 ? category : undefined;
}

/** `momentSync.severity` merged over the defaults; invalid entries keep the default. */
export function severityMap(configured: unknown): Record<Category, SeverityName> {
  const map: Record<Category, SeverityName> = { ...DEFAULT_SEVERITY };
  if (typeof configured !== 'object' || configured === null) {
    return map;
  }
  for (const category of [1, 2, 3] as const) {
    const value: unknown = (configured as Record<string, unknown>)[String(category)];
    if (value === 'error' || value === 'warning' || value === 'information' || value === 'hint') {
      map[category] = value;
    }
  }
  return map;
}

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly level: 'ok' | 'warning' | 'error';
}

/** What the status-bar item shows for a summary. */
export function statusView(summary: DriftSummary): StatusView {
  const hints =
    summary.specHints === 0
      ? []
      : [`${summary.specHints} spec-side hint${summary.specHints === 1 ? '' : 's'} (items the implementation lacks, counted above)`];
  if (summary.total === 0) {
    return { text: '$(check) moment-sync', tooltip: 'moment-sync: no drift reported', level: 'ok' };
  }
  const points = summary.total === 1 ? '1 drift point' : `${summary.total} drift points`;
  const highest = summary.highest;
  const text =
    highest === undefined ? `$(warning) ${points}` : `${highest === 3 ? '$(error)' : '$(warning)'} ${points} · cat ${highest}`;
  const lines = ([1, 2, 3] as const)
    .filter((category) => summary.perCategory[category] > 0)
    .map((category) => `${summary.perCategory[category]} × category ${category} (${CATEGORY_TITLES[category]})`);
  if (summary.unknown > 0) {
    lines.push(`${summary.unknown} × category unknown`);
  }
  const tooltip = [`moment-sync: ${points}`, ...lines, ...hints, 'Click to open the Problems view.'].join('\n');
  return { text, tooltip, level: highest === 3 ? 'error' : 'warning' };
}
