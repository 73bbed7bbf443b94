// package.json must agree with the code: the settings it contributes and the folders it activates on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { MARKER_DIRECTORIES } from '../src/logic/activation';
import { SERVER_KEYS } from '../src/logic/settings';

interface Manifest {
  activationEvents: string[];
  contributes: { configuration: { properties: Record<string, unknown> }; commands: { command: string }[] };
}

// Compiled to out-test/test/, so the package root is two folders up.
const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('contributes a momentSync setting for every server key, plus server.path and trace.server', () => {
    const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
    const expected = [...SERVER_KEYS, 'server.path', 'trace.server'].map((key) => `momentSync.${key}`).sort();
    assert.deepEqual(contributed, expected);
  });

  it('activates on the marker folders and on TypeScript files', () => {
    for (const dir of MARKER_DIRECTORIES) {
      assert.ok(manifest.activationEvents.includes(`workspaceContains:${dir}`), `workspaceContains:${dir}`);
    }
    assert.ok(manifest.activationEvents.includes('onLanguage:typescript'));
    assert.ok(manifest.activationEvents.includes('onLanguage:typescriptreact'));
  });

  it('contributes the four commands', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [
      'momentSync.check',
      'momentSync.fixAll',
      'momentSync.restartServer',
      'momentSync.showOutput',
    ]);
  });
});
