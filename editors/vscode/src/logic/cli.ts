// Runs the moment-sync command line (`check`, `fix`) and interprets its exit status.
import { execFile } from 'node:child_process';

export interface CliResult {
  /** The exit status; null when the process was killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/** Runs `binary args…` in `cwd`; rejects only when the process cannot be started. */
export function runCli(binary: string, args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, maxBuffer: MAX_OUTPUT, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ code: 0, stdout, stderr });
      } else if (typeof error.code === 'number') {
        resolve({ code: error.code, stdout, stderr });
      } else if (error.signal) {
        resolve({ code: null, stdout, stderr });
      } else {
        reject(new Error(`cannot run ${binary}: ${error.message}`));
      }
    });
  });
}

/**
 * The CLI flags that give it the folders set in the editor, so that `check` and `fix` look at the
 * same sides as the language server (other settings have no flags: the CLI reads them from
 * .moment/sync.json).
 */
export function sideFlags(settings: Readonly<Record<string, unknown>>): string[] {
  const flags: string[] = [];
  if (typeof settings.generatedDir === 'string') {
    flags.push('--generated', settings.generatedDir);
  }
  if (typeof settings.implementationDir === 'string') {
    flags.push('--implementation', settings.implementationDir);
  }
  if (typeof settings.spec === 'string') {
    flags.push('--spec', settings.spec);
  }
  return flags;
}

/**
 * `check` exits 0 (nothing reaches --fail-on) or 1 (drift found) with a report on stdout; anything
 * else is a failure whose reason is on stderr.
 */
export function checkFailure(result: CliResult): string | undefined {
  if (result.code === 0 || result.code === 1) {
    return undefined;
  }
  return failure('check', result);
}

/** `fix` exits 0 when it ran; anything else is a failure whose reason is on stderr. */
export function fixFailure(result: CliResult): string | undefined {
  return result.code === 0 ? undefined : failure('fix', result);
}

function failure(command: string, result: CliResult): string {
  const status = result.code === null ? 'was killed' : `exited with status ${result.code}`;
  const reason = result.stderr.trim();
  return `moment-sync ${command} ${status}${reason === '' ? '.' : `: ${reason}`}`;
}
