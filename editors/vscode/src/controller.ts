// Owns the language client's life: starts it in a moment-sync workspace, restarts it, and passes
// setting changes on without a reload. Start, stop and restart run one at a time, in call order.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

import { createClient, sendSettings } from './client';
import { DriftStatus } from './statusBar';
import { SECTION, activationDecision, serverPath } from './workspace';

export class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly status = new DriftStatus();
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
  ) {}

  /** Starts the server when the window is a moment-sync workspace and it is not running yet. */
  startIfWorkspace(): Promise<void> {
    return this.serialized(() => this.startIfNeeded());
  }

  restart(): Promise<void> {
    return this.serialized(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.serialized(() => this.stopClient());
  }

  onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration(SECTION)) {
      return Promise.resolve();
    }
    return this.serialized(async () => {
      if (this.client === undefined) {
        await this.startIfNeeded();
      } else if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        this.log('momentSync.server.path changed: restarting the server.');
        await this.stopClient();
        await this.startClient();
      } else {
        await sendSettings(this.client);
        this.status.track();
      }
    });
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

  private serialized(operation: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(operation);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private async startIfNeeded(): Promise<void> {
    if (this.client !== undefined) {
      return;
    }
    const decision = await activationDecision(this.context);
    this.log(decision.start ? `Starting: ${decision.reason}.` : `Not starting: ${decision.reason}.`);
    if (decision.start) {
      await this.startClient();
    }
  }

  private async startClient(): Promise<void> {
    const binary = this.binary();
    if (binary === undefined) {
      this.status.showProblem('the moment-sync binary was not found');
      return;
    }
    const client = createClient(binary, this.output);
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped && this.client === client) {
        this.status.showProblem('the server stopped; see the output');
      }
    });
    this.client = client;
    try {
      // The server asks for its settings (workspace/configuration) once it is initialized.
      await client.start();
      this.status.track();
    } catch (error) {
      this.client = undefined;
      const message = `the server (${binary}) did not start: ${(error as Error).message}`;
      this.log(message);
      this.status.showProblem(message);
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.status.hide();
    await client?.stop();
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
