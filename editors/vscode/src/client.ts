// The language client: starts `moment-sync lsp --stdio` and keeps its settings current.
import * as vscode from 'vscode';
import {
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  LanguageClient,
  ResponseError,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import { answerConfiguration } from './logic/settings';
import { SECTION, settingsFor } from './workspace';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
  { scheme: 'file', language: 'moment' },
];

export function createClient(serverPath: string, output: vscode.OutputChannel): LanguageClient {
  const serverOptions: ServerOptions = { command: serverPath, args: ['lsp', '--stdio'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    middleware: { workspace: { configuration: answerServerSettings } },
  };
  return new LanguageClient(SECTION, 'moment-sync', serverOptions, clientOptions);
}

/**
 * Answers `workspace/configuration` for the `momentSync` section with the server's keys only: the
 * extension's own keys (`server.path`, `trace.server`) are unknown to the server.
 */
const answerServerSettings: ConfigurationRequest.MiddlewareSignature = async (params, token, next) => {
  const answers = await next(params, token);
  if (answers instanceof ResponseError) {
    return answers;
  }
  return answerConfiguration(SECTION, params.items, answers as unknown[], (scopeUri) =>
    settingsFor(scopeUri === undefined ? undefined : vscode.Uri.parse(scopeUri)),
  );
};

/** Pushes the current settings to the server (`workspace/didChangeConfiguration`). */
export async function sendSettings(client: LanguageClient): Promise<void> {
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: settingsFor(undefined) },
  });
}
