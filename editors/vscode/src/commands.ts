// The commands of the command palette.
import * as vscode from 'vscode';

import { DOCUMENT_SELECTOR } from './client';
import type { Controller } from './controller';
import { formatCheckReport, parseCheckReport } from './logic/checkReport';
import { checkFailure, fixFailure, runCli, sideFlags } from './logic/cli';
import { settingsFor, targetFolder } from './workspace';

const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('moment-sync');

export function registerCommands(controller: Controller): vscode.Disposable[] {
  const run = (action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (error) {
      const message = (error as Error).message;
      controller.log(message);
      void vscode.window.showErrorMessage(message);
    }
  };
  return [
    vscode.commands.registerCommand('momentSync.restartServer', run(() => controller.restart())),
    vscode.commands.registerCommand('momentSync.showOutput', () => {
      controller.output.show(true);
    }),
    vscode.commands.registerCommand('momentSync.check', run(() => checkWorkspace(controller))),
    vscode.commands.registerCommand('momentSync.fixAll', run(() => fixAll(controller))),
  ];
}

/** Runs `moment-sync check ROOT --format json` and writes the report to the output channel. */
async function checkWorkspace(controller: Controller): Promise<void> {
  const folder = await targetFolder();
  const binary = controller.binary();
  if (folder === undefined || binary === undefined) {
    return;
  }
  const root = folder.uri.fsPath;
  const result = await runCli(binary, ['check', root, ...sideFlags(settingsFor(folder.uri)), '--format', 'json'], root);
  const failure = checkFailure(result);
  if (failure !== undefined) {
    throw new Error(failure);
  }
  const lines = formatCheckReport(parseCheckReport(result.stdout));
  lines.forEach((line) => {
    controller.output.appendLine(line);
  });
  controller.output.show(true);
  void vscode.window.showInformationMessage(lines.slice(0, 2).join(' — '));
}

/**
 * Applies every category-1 fix. With unsaved TypeScript files in the folder, the fixes go through
 * the server's `source.fixAll.moment-sync` code action on the open documents (so unsaved text is
 * kept and the edits can be undone); otherwise `moment-sync fix ROOT` fixes the whole folder on disk.
 */
async function fixAll(controller: Controller): Promise<void> {
  const folder = await targetFolder();
  if (folder === undefined) {
    return;
  }
  const documents = vscode.workspace.textDocuments.filter(
    (document) => vscode.languages.match(DOCUMENT_SELECTOR, document) > 0 && vscode.workspace.getWorkspaceFolder(document.uri) === folder,
  );
  if (documents.some((document) => document.isDirty)) {
    const fixed = await fixOpenDocuments(documents);
    void vscode.window.showInformationMessage(
      `moment-sync: applied the clean fixes in ${fixed} open file${fixed === 1 ? '' : 's'} (unsaved files present, so files that are not open were left alone).`,
    );
    return;
  }
  const binary = controller.binary();
  if (binary === undefined) {
    return;
  }
  const root = folder.uri.fsPath;
  const result = await runCli(binary, ['fix', root, ...sideFlags(settingsFor(folder.uri))], root);
  const failure = fixFailure(result);
  if (failure !== undefined) {
    throw new Error(failure);
  }
  controller.output.appendLine(result.stdout.trimEnd());
  void vscode.window.showInformationMessage(`moment-sync fix: ${lastLine(result.stdout) ?? 'done'}`);
}

/** Applies the fix-all code action of each document; returns how many documents had one. */
async function fixOpenDocuments(documents: readonly vscode.TextDocument[]): Promise<number> {
  let fixed = 0;
  for (const document of documents) {
    const range = new vscode.Range(0, 0, document.lineCount, 0);
    const actions =
      (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
        'vscode.executeCodeActionProvider',
        document.uri,
        range,
        FIX_ALL.value,
        Number.MAX_SAFE_INTEGER,
      )) ?? [];
    const action = actions.find((candidate) => candidate.kind !== undefined && FIX_ALL.contains(candidate.kind));
    if (action !== undefined && (await applyCodeAction(action))) {
      fixed += 1;
    }
  }
  return fixed;
}

async function applyCodeAction(action: vscode.CodeAction): Promise<boolean> {
  const edited = action.edit === undefined || (await vscode.workspace.applyEdit(action.edit));
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(action.command.command, ...((action.command.arguments ?? []) as unknown[]));
  }
  return edited;
}

function lastLine(text: string): string | undefined {
  return text.trimEnd().split('\n').pop();
}
