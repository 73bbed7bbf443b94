// Owns the language client's life: starts it in a moment-sync workspace, restarts it, and passes
// setting changes on without a reload.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import { createClient, sendSettings } from './client';
import { DriftStatus } from './statusBar';
import { SECTION, activationDecision, serverPath } from './workspace';

export class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  readonly status = new DriftStatus();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
  ) {}

  /** Starts the server when the window is a moment-sync workspace and it is not running yet. */
  async startIfWorkspace(): Promise<void> {
    if (this.client !== undefined) {
      return;
    }
    const decision = await activationDecision(this.context);
    this.log(decision.start ? `Starting: ${decision.reason}.` : `Not starting: ${decision.reason}.`);
    if (decision.start) {
      await this.start();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.status.hide();
    await client?.stop();
  }

  async onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    if (this.client === undefined) {
      await this.startIfWorkspace();
    } else if (event.affectsConfiguration(`${SECTION}.server.path`)) {
      this.log('momentSync.server.path changed: restarting the server.');
      await this.restart();
    } else {
      await sendSettings(this.client);
      this.status.refresh();
    }
  }

  /** The server binary, or undefined after telling the user how to install it. */
  binary(): string | undefined {
    const result = serverPath(this.context);
    if (result.found) {
      return result.path;
    }
    this.log(result.message);
    void this.reportMissingServer(result.message);
    return undefined;
  }

  log(message: string): void {
    this.output.appendLine(`[moment-sync] ${message}`);
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
  }

  private async start(): Promise<void> {
    const binary = this.binary();
    if (binary === undefined) {
      this.status.showProblem('the moment-sync binary was not found');
      return;
    }
    const client = createClient(binary, this.output);
    this.client = client;
    try {
      await client.start();
      await sendSettings(client);
      this.status.refresh();
    } catch (error) {
      this.client = undefined;
      const message = `the server (${binary}) did not start: ${(error as Error).message}`;
      this.log(message);
      this.status.showProblem(message);
    }
  }

  private async reportMissingServer(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'How to Install', 'Open Settings');
    if (choice === 'How to Install') {
      // The extension's page shows its README, whose first section says how to install the server.
      await vscode.commands.executeCommand('extension.open', this.context.extension.id);
    } else if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.path`);
    }
  }
}
