// Decides whether a window is a moment-sync workspace. The extension also activates on every
// TypeScript file; this guard keeps the server from starting in unrelated projects.

export interface FolderFacts {
  readonly name: string;
  /** Names of the folder's top-level entries that are directories. */
  readonly directories: ReadonlySet<string>;
}

export type ActivationDecision =
  | { readonly start: true; readonly reason: string }
  | { readonly start: false; readonly reason: string };

/** Top-level folders that mark a moment-sync workspace, in the order they are reported. */
export const MARKER_DIRECTORIES = ['.moment', 'generated'] as const;

/**
 * @param folders the open workspace folders
 * @param workspaceSettings `momentSync.*` keys set in the workspace or folder settings (user-level
 *        settings do not count: they would start the server in every TypeScript project)
 */
export function decideActivation(
  folders: readonly FolderFacts[],
  workspaceSettings: readonly string[],
): ActivationDecision {
  for (const folder of folders) {
    const marker = MARKER_DIRECTORIES.find((dir) => folder.directories.has(dir));
    if (marker !== undefined) {
      return { start: true, reason: `folder "${folder.name}" has ${marker}/` };
    }
  }
  const [setting] = workspaceSettings;
  if (setting !== undefined) {
    return { start: true, reason: `the workspace sets momentSync.${setting}` };
  }
  return {
    start: false,
    reason:
      folders.length === 0
        ? 'no folder is open'
        : `no open folder has ${MARKER_DIRECTORIES.map((dir) => `${dir}/`).join(' or ')} and the workspace sets no momentSync setting`,
  };
}
