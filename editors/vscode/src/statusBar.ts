// The status-bar item: the workspace's drift count and highest category, from the moment-sync
// diagnostics VS Code holds. Clicking it opens the Problems view.
import * as vscode from 'vscode';

import { severityMap, statusView, summarise, type DiagnosticFacts, type SeverityName } from './logic/summary';
import { SECTION } from './workspace';

const SEVERITY_NAMES: Record<vscode.DiagnosticSeverity, SeverityName> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export class DriftStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('momentSync.status', vscode.StatusBarAlignment.Left, 10);
  /** Whether the item follows the diagnostics (while the server runs). */
  private tracking = false;
  private readonly listener = vscode.languages.onDidChangeDiagnostics(() => {
    if (this.tracking) {
      this.refresh();
    }
  });

  constructor() {
    this.item.name = 'moment-sync drift';
  }

  /** Shows the drift summary from now on, updated as the diagnostics change. */
  track(): void {
    this.tracking = true;
    this.refresh();
  }

  private refresh(): void {
    const view = statusView(summarise(allDiagnostics(), severityMap(configuredSeverity())));
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = 'workbench.actions.view.problems';
    this.item.backgroundColor =
      view.level === 'ok' ? undefined : new vscode.ThemeColor(`statusBarItem.${view.level}Background`);
    this.item.show();
  }

  /** Shows that the server is not running, and why; clicking opens the output. */
  showProblem(message: string): void {
    this.tracking = false;
    this.item.text = '$(error) moment-sync';
    this.item.tooltip = `moment-sync: ${message}\nClick to show the output.`;
    this.item.command = 'momentSync.showOutput';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
  }

  hide(): void {
    this.tracking = false;
    this.item.hide();
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}

function* allDiagnostics(): Generator<DiagnosticFacts> {
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    for (const diagnostic of diagnostics) {
      yield {
        source: diagnostic.source,
        severity: SEVERITY_NAMES[diagnostic.severity],
        // vscode-languageclient keeps the server's `data` on the diagnostics it creates.
        data: (diagnostic as { data?: unknown }).data,
      };
    }
  }
}

function configuredSeverity(): unknown {
  return vscode.workspace.getConfiguration(SECTION).get('severity');
}
