import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkFailure, fixFailure, runCli, sideFlags } from '../src/logic/cli';

const node = process.execPath;

describe('runCli', () => {
  it('returns the exit status and both streams', async () => {
    const result = await runCli(node, ['-e', 'console.log("out"); console.error("err"); process.exit(1)'], process.cwd());
    assert.deepEqual(result, { code: 1, stdout: 'out\n', stderr: 'err\n' });
  });

  it('rejects when the binary cannot be started', async () => {
    await assert.rejects(runCli('/nonexistent/moment-sync', ['check'], process.cwd()), /cannot run \/nonexistent\/moment-sync/);
  });
});

describe('checkFailure and fixFailure', () => {
  it('treats check exit 0 and 1 as a report', () => {
    assert.equal(checkFailure({ code: 0, stdout: '{}', stderr: '' }), undefined);
    assert.equal(checkFailure({ code: 1, stdout: '{}', stderr: '' }), undefined);
  });

  it('quotes stderr for a usage or I/O error', () => {
    assert.equal(
      checkFailure({ code: 2, stdout: '', stderr: 'error: .moment/sync.json line 3: unknown key `generated`\n' }),
      'moment-sync check exited with status 2: error: .moment/sync.json line 3: unknown key `generated`',
    );
  });

  it('fails fix on any non-zero status', () => {
    assert.equal(fixFailure({ code: 0, stdout: '', stderr: '' }), undefined);
    assert.equal(fixFailure({ code: null, stdout: '', stderr: '' }), 'moment-sync fix was killed.');
  });
});

describe('sideFlags', () => {
  it('passes a .moment spec set in the editor', () => {
    assert.deepEqual(sideFlags({ spec: 'spec' }), ['--spec', 'spec']);
  });

  it('passes the folders set in the editor', () => {
    assert.deepEqual(sideFlags({ generatedDir: 'spec/ts', implementationDir: 'app/domain', codeLens: false }), [
      '--generated',
      'spec/ts',
      '--implementation',
      'app/domain',
    ]);
  });

  it('passes nothing when the folders are not set', () => {
    assert.deepEqual(sideFlags({ severity: { '1': 'hint' } }), []);
  });
});
