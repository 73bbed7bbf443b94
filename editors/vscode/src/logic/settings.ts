// The settings the language server reads: the `momentSync` keys shared with .moment/sync.json.
// Only keys the user set are sent, so that an unset key falls back to .moment/sync.json and then to
// the server's built-in default instead of being overridden by VS Code's default value.

/** Keys the server understands (those of .moment/sync.json, plus the editor-only `actor`); the
 * extension-only keys (`server.path`, `trace.server`) are not sent. */
export const SERVER_KEYS = [
  'generatedDir',
  'spec',
  'implementationDir',
  'include',
  'exclude',
  'severity',
  'debounceMs',
  'codeLens',
  'logLevel',
  // Who decides: recorded with the acceptances, rejections and skips made in the editor.
  'actor',
] as const;

export type ServerKey = (typeof SERVER_KEYS)[number];

/** What VS Code's `WorkspaceConfiguration.inspect` reports for one key (the parts used here). */
export interface SettingValues {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/** The most specific value the user set for a key, or undefined when only the default applies. */
export function explicitValue(values: SettingValues | undefined): unknown {
  return values?.workspaceFolderValue ?? values?.workspaceValue ?? values?.globalValue;
}

/** The server's settings object: every server key the user set, nothing else. */
export function serverSettings(inspect: (key: ServerKey) => SettingValues | undefined): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = explicitValue(inspect(key));
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

/**
 * The answers to a `workspace/configuration` request: the server's settings for every item that
 * asks for `section`, VS Code's own answer for the others.
 */
export function answerConfiguration(
  section: string,
  items: readonly { readonly section?: string; readonly scopeUri?: string }[],
  answers: readonly unknown[],
  settingsFor: (scopeUri: string | undefined) => Record<string, unknown>,
): unknown[] {
  return answers.map((answer, index) => {
    const item = items[index];
    return item?.section === section ? settingsFor(item.scopeUri) : answer;
  });
}

/** The `momentSync.*` keys set at workspace or folder level (these mark a moment-sync workspace). */
export function workspaceLevelKeys(
  keys: readonly string[],
  inspect: (key: string) => SettingValues | undefined,
): string[] {
  return keys.filter((key) => {
    const values = inspect(key);
    return values?.workspaceFolderValue !== undefined || values?.workspaceValue !== undefined;
  });
}
