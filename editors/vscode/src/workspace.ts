// VS Code's view of the workspace: settings, folders and the server binary, handed to the pure
// modules in src/logic.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';

import { decideActivation, type ActivationDecision, type FolderFacts } from './logic/activation';
import { resolveServerPath, type ServerPathResult } from './logic/serverPath';
import { serverSettings, workspaceLevelKeys, type ServerKey } from './logic/settings';

export const SECTION = 'momentSync';

/** Every `momentSync.*` key the extension contributes. */
function contributedKeys(extension: vscode.ExtensionContext): string[] {
  const packageJson = extension.extension.packageJSON as {
    contributes: { configuration: { properties: Record<string, unknown> } };
  };
  return Object.keys(packageJson.contributes.configuration.properties).map((key) => key.slice(SECTION.length + 1));
}

/** The server's settings for a folder (or the whole window when `scope` is undefined). */
export function settingsFor(scope: vscode.Uri | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return serverSettings((key: ServerKey) => config.inspect(key));
}

export async function activationDecision(extension: vscode.ExtensionContext): Promise<ActivationDecision> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const facts = await Promise.all(folders.map(folderFacts));
  const config = vscode.workspace.getConfiguration(SECTION);
  return decideActivation(facts, workspaceLevelKeys(contributedKeys(extension), (key) => config.inspect(key)));
}

async function folderFacts(folder: vscode.WorkspaceFolder): Promise<FolderFacts> {
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder.uri);
  } catch {
    // An unreadable folder has no markers.
  }
  const directories = entries.filter(([, type]) => (type & vscode.FileType.Directory) !== 0).map(([name]) => name);
  return { name: folder.name, directories: new Set(directories) };
}

export function serverPath(extension: vscode.ExtensionContext): ServerPathResult {
  return resolveServerPath({
    configured: vscode.workspace.getConfiguration(SECTION).get<string>('server.path', ''),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    extensionPath: extension.extensionPath,
    env: process.env,
    platform: process.platform,
    homeDir: os.homedir(),
    isExecutable,
  });
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder a workspace command acts on: the active editor's, the only one, or the user's pick. */
export async function targetFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active === undefined ? undefined : vscode.workspace.getWorkspaceFolder(active);
  if (fromEditor !== undefined) {
    return fromEditor;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to run moment-sync on' });
}
