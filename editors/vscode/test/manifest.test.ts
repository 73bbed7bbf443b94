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

describe('the moment language', () => {
  const contributes = (manifest as unknown as {
    contributes: {
      languages: { id: string; extensions: string[]; configuration: string }[];
      grammars: { language: string; scopeName: string; path: string }[];
    };
  }).contributes;

  it('is contributed with its grammar and configuration, and activates the extension', () => {
    const language = contributes.languages.find((l) => l.id === 'moment');
    assert.ok(language, 'language moment');
    assert.deepEqual(language.extensions, ['.moment']);
    const grammar = contributes.grammars.find((g) => g.language === 'moment');
    assert.ok(grammar, 'grammar for moment');
    const root = join(__dirname, '..', '..');
    const tm = JSON.parse(readFileSync(join(root, grammar.path), 'utf8')) as { scopeName: string };
    assert.equal(tm.scopeName, grammar.scopeName);
    JSON.parse(readFileSync(join(root, language.configuration), 'utf8'));
    assert.ok(manifest.activationEvents.includes('onLanguage:moment'));
  });

  it('highlights keywords and field types', () => {
    const root = join(__dirname, '..', '..');
    const tm = JSON.parse(readFileSync(join(root, 'syntaxes', 'moment.tmLanguage.json'), 'utf8')) as {
      repository: { keywords: { patterns: { name: string; match: string }[] } };
    };
    const keyword = tm.repository.keywords.patterns.find((p) => p.name === 'keyword.other.moment');
    assert.ok(keyword);
    const re = new RegExp(keyword.match);
    assert.ok(re.test('value-object'));
    assert.ok(!re.test('valueObject'));
  });
});
