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

import { SECTION, settingsFor } from './workspace';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
];

export function createClient(serverPath: string, output: vscode.OutputChannel): LanguageClient {
  const serverOptions: ServerOptions = { command: serverPath, args: ['lsp', '--stdio'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    middleware: { workspace: { configuration: answerConfiguration } },
  };
  return new LanguageClient(SECTION, 'moment-sync', serverOptions, clientOptions);
}

/**
 * Answers `workspace/configuration` for the `momentSync` section with the server's keys only: the
 * extension's own keys (`server.path`, `trace.server`) are unknown to the server.
 */
const answerConfiguration: ConfigurationRequest.MiddlewareSignature = async (params, token, next) => {
  const answers = await next(params, token);
  if (answers instanceof ResponseError) {
    return answers;
  }
  return (answers as unknown[]).map((answer, index) => {
    const item = params.items[index];
    if (item?.section !== SECTION) {
      return answer;
    }
    return settingsFor(item.scopeUri === undefined ? undefined : vscode.Uri.parse(item.scopeUri));
  });
};

/** Pushes the current settings to the server (`workspace/didChangeConfiguration`). */
export async function sendSettings(client: LanguageClient): Promise<void> {
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: settingsFor(undefined) },
  });
}
