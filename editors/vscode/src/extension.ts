// Entry point: activated by a moment-sync workspace or a TypeScript file; the controller decides
// whether this window needs the server.
import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { Controller } from './controller';

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Moment Sync');
  const active = new Controller(context, output);
  controller = active;
  context.subscriptions.push(
    output,
    active,
    ...registerCommands(active),
    vscode.workspace.onDidChangeConfiguration((event) => active.onConfigurationChanged(event)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => active.startIfWorkspace()),
  );
  await active.startIfWorkspace();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
