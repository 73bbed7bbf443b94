import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { resolveServerPath, type ServerPathInput, type ServerPathResult } from '../src/logic/serverPath';

function input(overrides: Partial<ServerPathInput> & { executables?: string[] }): ServerPathInput {
  const executables = new Set(overrides.executables ?? []);
  return {
    configured: '',
    workspaceFolder: '/work/shop',
    extensionPath: '/ext',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    homeDir: '/home/ada',
    isExecutable: (file) => executables.has(file),
    ...overrides,
  };
}

function failure(result: ServerPathResult): string {
  if (result.found) {
    assert.fail(`expected no server, got ${result.path}`);
  }
  return result.message;
}

describe('resolveServerPath', () => {
  it('uses the configured absolute path', () => {
    const result = resolveServerPath(input({ configured: '/opt/ms/moment-sync', executables: ['/opt/ms/moment-sync', '/usr/bin/moment-sync'] }));
    assert.deepEqual(result, { found: true, path: '/opt/ms/moment-sync', source: 'setting' });
  });

  it('resolves a relative configured path against the workspace folder', () => {
    const result = resolveServerPath(input({ configured: 'target/release/moment-sync', executables: ['/work/shop/target/release/moment-sync'] }));
    assert.deepEqual(result, { found: true, path: '/work/shop/target/release/moment-sync', source: 'setting' });
  });

  it('expands ~ and ${workspaceFolder}', () => {
    assert.deepEqual(resolveServerPath(input({ configured: '~/bin/moment-sync', executables: ['/home/ada/bin/moment-sync'] })), {
      found: true,
      path: '/home/ada/bin/moment-sync',
      source: 'setting',
    });
    assert.deepEqual(
      resolveServerPath(input({ configured: '${workspaceFolder}/bin/moment-sync', executables: ['/work/shop/bin/moment-sync'] })),
      { found: true, path: '/work/shop/bin/moment-sync', source: 'setting' },
    );
  });

  it('names the setting and the path when the configured file is missing, without falling back', () => {
    const result = resolveServerPath(input({ configured: '/nope/moment-sync', executables: ['/usr/bin/moment-sync'] }));
    assert.match(failure(result), /momentSync\.server\.path is "\/nope\/moment-sync", but \/nope\/moment-sync is not an executable file/);
  });

  it('reports ${workspaceFolder} without an open folder', () => {
    const result = resolveServerPath(input({ configured: '${workspaceFolder}/moment-sync', workspaceFolder: undefined }));
    assert.match(failure(result), /no folder is open/);
  });

  it('prefers the bundled server over PATH', () => {
    const result = resolveServerPath(input({ executables: ['/ext/server/moment-sync', '/usr/bin/moment-sync'] }));
    assert.deepEqual(result, { found: true, path: '/ext/server/moment-sync', source: 'bundled' });
  });

  it('takes the first PATH entry that has the binary', () => {
    const result = resolveServerPath(input({ executables: ['/usr/bin/moment-sync'] }));
    assert.deepEqual(result, { found: true, path: '/usr/bin/moment-sync', source: 'PATH' });
  });

  it('uses PATHEXT and backslashes on Windows', () => {
    const result = resolveServerPath(
      input({
        platform: 'win32',
        extensionPath: 'C:\\ext',
        env: { Path: 'C:\\tools;C:\\bin', PATHEXT: '.COM;.EXE' },
        executables: ['C:\\bin\\moment-sync.exe'],
      }),
    );
    assert.deepEqual(result, { found: true, path: 'C:\\bin\\moment-sync.exe', source: 'PATH' });
  });

  it('explains every place it looked when nothing is found', () => {
    const result = resolveServerPath(input({}));
    const message = failure(result);
    assert.match(message, /momentSync\.server\.path is not set/);
    assert.match(message, /no bundled server/);
    assert.match(message, /no `moment-sync` is on PATH/);
  });
});
