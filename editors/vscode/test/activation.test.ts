import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decideActivation } from '../src/logic/activation';

const folder = (name: string, ...directories: string[]) => ({ name, directories: new Set(directories) });

describe('decideActivation', () => {
  it('starts in a folder with .moment/', () => {
    assert.deepEqual(decideActivation([folder('shop', 'src', '.moment')], []), { start: true, reason: 'folder "shop" has .moment/' });
  });

  it('starts in a folder with generated/', () => {
    assert.deepEqual(decideActivation([folder('shop', 'generated', 'src')], []), { start: true, reason: 'folder "shop" has generated/' });
  });

  it('looks at every folder of a multi-root workspace', () => {
    const decision = decideActivation([folder('web', 'src'), folder('domain', '.moment')], []);
    assert.deepEqual(decision, { start: true, reason: 'folder "domain" has .moment/' });
  });

  it('starts when the workspace sets a momentSync setting', () => {
    assert.deepEqual(decideActivation([folder('shop', 'src')], ['generatedDir']), {
      start: true,
      reason: 'the workspace sets momentSync.generatedDir',
    });
  });

  it('does not start in an unrelated TypeScript project', () => {
    const decision = decideActivation([folder('web', 'src', 'node_modules')], []);
    assert.equal(decision.start, false);
    assert.match(decision.reason, /no open folder has \.moment\/ or generated\//);
  });

  it('does not start without a folder', () => {
    assert.deepEqual(decideActivation([], []), { start: false, reason: 'no folder is open' });
  });
});
