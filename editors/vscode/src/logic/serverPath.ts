// Finds the moment-sync binary: the configured path, else the one bundled with the extension,
// else the first `moment-sync` on PATH.
import * as path from 'node:path';

export interface ServerPathInput {
  /** `momentSync.server.path`; empty when unset. */
  readonly configured: string;
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  readonly workspaceFolder: string | undefined;
  /** The extension's install folder (a bundled server lives in its `server/`). */
  readonly extensionPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly homeDir: string;
  readonly isExecutable: (file: string) => boolean;
}

export type ServerPathResult =
  | { readonly found: true; readonly path: string; readonly source: 'setting' | 'bundled' | 'PATH' }
  | { readonly found: false; readonly message: string };

export const BINARY = 'moment-sync';

export function resolveServerPath(input: ServerPathInput): ServerPathResult {
  const configured = input.configured.trim();
  if (configured !== '') {
    return fromSetting(configured, input);
  }
  const bundled = pathFor(input.platform).join(input.extensionPath, 'server', executableName(input.platform));
  if (input.isExecutable(bundled)) {
    return { found: true, path: bundled, source: 'bundled' };
  }
  const onPath = searchPath(input);
  if (onPath !== undefined) {
    return { found: true, path: onPath, source: 'PATH' };
  }
  return {
    found: false,
    message:
      `The ${BINARY} language server was not found: momentSync.server.path is not set, ` +
      `the extension has no bundled server, and no \`${BINARY}\` is on PATH. ` +
      `Install it (cargo install --path . in the moment-sync repository) or set momentSync.server.path.`,
  };
}

function fromSetting(configured: string, input: ServerPathInput): ServerPathResult {
  const expanded = expandVariables(configured, input);
  if (expanded === undefined) {
    return {
      found: false,
      message: `momentSync.server.path uses \${workspaceFolder} ("${configured}"), but no folder is open.`,
    };
  }
  const paths = pathFor(input.platform);
  const absolute =
    paths.isAbsolute(expanded) || input.workspaceFolder === undefined
      ? expanded
      : paths.resolve(input.workspaceFolder, expanded);
  if (!input.isExecutable(absolute)) {
    return {
      found: false,
      message: `momentSync.server.path is "${configured}", but ${absolute} is not an executable file.`,
    };
  }
  return { found: true, path: absolute, source: 'setting' };
}

/** Expands a leading `~` and `${workspaceFolder}`; undefined when the folder is needed but absent. */
function expandVariables(value: string, input: ServerPathInput): string | undefined {
  const home = value === '~' || value.startsWith('~/') ? input.homeDir + value.slice(1) : value;
  if (!home.includes('${workspaceFolder}')) {
    return home;
  }
  const folder = input.workspaceFolder;
  return folder === undefined ? undefined : home.split('${workspaceFolder}').join(folder);
}

function searchPath(input: ServerPathInput): string | undefined {
  const paths = pathFor(input.platform);
  const pathVar = input.env.PATH ?? input.env.Path ?? '';
  const dirs = pathVar.split(paths.delimiter).filter((dir) => dir !== '');
  const names = candidateNames(input);
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = paths.join(dir, name);
      if (input.isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function candidateNames(input: ServerPathInput): string[] {
  if (input.platform !== 'win32') {
    return [BINARY];
  }
  const extensions = (input.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter((ext) => ext !== '');
  return extensions.map((ext) => BINARY + ext.toLowerCase());
}

function executableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${BINARY}.exe` : BINARY;
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}
