import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { answerConfiguration, explicitValue, serverSettings, workspaceLevelKeys, type SettingValues } from '../src/logic/settings';

describe('explicitValue', () => {
  it('prefers folder over workspace over user settings', () => {
    assert.equal(explicitValue({ globalValue: 'a', workspaceValue: 'b', workspaceFolderValue: 'c' }), 'c');
    assert.equal(explicitValue({ globalValue: 'a', workspaceValue: 'b' }), 'b');
    assert.equal(explicitValue({ globalValue: 'a' }), 'a');
    assert.equal(explicitValue({}), undefined);
    assert.equal(explicitValue(undefined), undefined);
  });
});

describe('serverSettings', () => {
  it('sends only the server keys the user set', () => {
    const values: Record<string, SettingValues> = {
      generatedDir: { workspaceValue: 'spec/ts' },
      severity: { globalValue: { '1': 'hint' } },
      debounceMs: {},
      codeLens: { workspaceFolderValue: false },
    };
    assert.deepEqual(serverSettings((key) => values[key]), {
      generatedDir: 'spec/ts',
      severity: { '1': 'hint' },
      codeLens: false,
    });
  });

  it('never sends the extension-only keys', () => {
    const settings = serverSettings(() => ({ workspaceValue: 'x' }));
    assert.deepEqual(Object.keys(settings).sort(), [
      'actor',
      'codeLens',
      'debounceMs',
      'exclude',
      'generatedDir',
      'implementationDir',
      'include',
      'logLevel',
      'severity',
      'spec',
    ]);
  });

  it('sends an empty object when nothing is set', () => {
    assert.deepEqual(serverSettings(() => undefined), {});
  });
});

describe('workspaceLevelKeys', () => {
  it('ignores user-level settings', () => {
    const values: Record<string, SettingValues> = {
      'server.path': { globalValue: '/usr/bin/moment-sync' },
      generatedDir: { workspaceValue: 'spec' },
      codeLens: { workspaceFolderValue: false },
    };
    assert.deepEqual(workspaceLevelKeys(['server.path', 'generatedDir', 'codeLens', 'logLevel'], (key) => values[key]), [
      'generatedDir',
      'codeLens',
    ]);
  });
});

describe('answerConfiguration', () => {
  it("replaces VS Code's answer for the momentSync section with the server settings of the item's scope", () => {
    const items = [{ section: 'momentSync', scopeUri: 'file:///work/shop' }, { section: 'editor.tabSize' }, { section: 'momentSync' }];
    const vscodeAnswers = [{ 'server.path': '/x', generatedDir: 'generated' }, 2, { trace: { server: 'off' } }];
    const answers = answerConfiguration('momentSync', items, vscodeAnswers, (scopeUri) => ({ scope: scopeUri ?? 'window' }));
    assert.deepEqual(answers, [{ scope: 'file:///work/shop' }, 2, { scope: 'window' }]);
  });
});
