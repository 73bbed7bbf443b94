// End-to-end test of the VS Code extension in real VS Code: code-server (VS Code 1.99 in the
// browser) with the host-platform .vsix installed (its bundled server binary included), driven in
// headless Chromium through playwright-core. It opens a copy of fixtures/drifted and checks what a
// user sees: squiggles, the Problems count against `moment-sync check --format json`, the hover,
// a quick fix (recorded on save, with the actor a container without git user.name or $USER gets),
// fix-all, the status bar, and the spec side (hints, counted apart).
//
//   MOMENT_SYNC_VSIX=dist/moment-sync-linux-x64-0.1.0.vsix node tests/vscode-e2e/e2e.mjs
//
// Screenshots go to $E2E_ARTIFACTS (default tests/vscode-e2e/artifacts/), also on failure.
// Every wait is on a selector or a condition, with generous timeouts for a loaded 2-core machine.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const vsix = path.resolve(process.env.MOMENT_SYNC_VSIX ?? '');
const artifacts = path.resolve(process.env.E2E_ARTIFACTS ?? path.join(here, 'artifacts'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const codeServer = path.join(here, 'node_modules/code-server/out/node/entry.js');
/** How long a single wait may take: the machine is shared, and code-server starts cold. */
const WAIT = 90_000;

const IMPL = 'src/domain/billing/invoice.types.ts';
const SPEC = 'generated/billing/invoice.types.ts';

const started = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'moment-sync-vscode-e2e-'));
const dirs = {
  home: path.join(work, 'home'),
  userData: path.join(work, 'user-data'),
  extensions: path.join(work, 'extensions'),
  workspace: path.join(work, 'drifted'),
  profile: path.join(work, 'chromium'),
};

/**
 * The environment of a container user: a fresh home without a git config, no $USER/$LOGNAME, so
 * decisions fall back to the editor's name (issue #11, item 4). The marketplace is switched off
 * (an empty gallery URL disables it); the network is closed anyway.
 */
function isolatedEnv() {
  const env = { ...process.env };
  for (const key of ['USER', 'LOGNAME', 'USERNAME', 'GIT_AUTHOR_NAME', 'GIT_COMMITTER_NAME']) {
    delete env[key];
  }
  return {
    ...env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: '' }),
  };
}

// ---------------------------------------------------------------------------------------------
// Setup: workspace, settings, the extension, code-server, the browser.

function prepare() {
  if (!fs.existsSync(vsix)) {
    throw new Error(`e2e: MOMENT_SYNC_VSIX=${process.env.MOMENT_SYNC_VSIX ?? ''} is not a file`);
  }
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.cpSync(path.join(repo, 'fixtures/drifted'), dirs.workspace, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    // Only moment-sync's diagnostics in the Problems view, so its count is comparable with `check`.
    'typescript.validate.enable': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
    // No fade-in: screenshots show hovers and menus fully drawn.
    'workbench.reduceMotion': 'on',
  };
  fs.writeFileSync(path.join(dirs.userData, 'User/settings.json'), JSON.stringify(settings, null, 2));
}

function codeServerArgs(...rest) {
  return [codeServer, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, ...rest];
}

/** Installs the .vsix as a user would; returns the server binary it brought along. */
function installExtension() {
  const result = spawnSync(process.execPath, codeServerArgs('--install-extension', vsix), {
    env: isolatedEnv(),
    encoding: 'utf8',
    timeout: WAIT,
  });
  assert.equal(result.status, 0, `--install-extension failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /successfully installed/);
  const installed = fs.readdirSync(dirs.extensions).find((name) => name.startsWith('moment-sync.moment-sync-'));
  assert.ok(installed, `no moment-sync extension in ${dirs.extensions}`);
  const exe = process.platform === 'win32' ? 'moment-sync.exe' : 'moment-sync';
  const server = path.join(dirs.extensions, installed, 'server', exe);
  assert.ok(fs.existsSync(server), `the installed extension lacks its bundled server ${server}`);
  return server;
}

/** What the command line says about the fresh workspace: the figures the editor must match. */
function checkReport(server) {
  const result = spawnSync(server, ['check', dirs.workspace, '--format', 'json'], { encoding: 'utf8' });
  // Exit code 1/2 mean drift; the report is on stdout either way.
  assert.ok(result.stdout, `check printed nothing: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts code-server and resolves once it listens; rejects on exit or after the timeout. */
async function startOnce(log) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    codeServerArgs(
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      dirs.workspace,
    ),
    { env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('code-server did not listen within the timeout'));
    }, WAIT);
    const onData = (chunk) => {
      log.write(chunk);
      if (chunk.toString().includes('HTTP server listening on')) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}` });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code} before listening`));
    });
  });
}

/** code-server, retried: a port taken between probing and binding, or a slow cold start. */
async function startCodeServer() {
  const log = fs.createWriteStream(path.join(artifacts, 'code-server.log'));
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(log);
    } catch (error) {
      lastError = error;
      console.log(`code-server start ${attempt} failed: ${error.message}`);
    }
  }
  throw lastError;
}

async function launchBrowser() {
  return chromium.launchPersistentContext(dirs.profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--force-prefers-reduced-motion',
    ],
    viewport: { width: 1400, height: 900 },
  });
}

// ---------------------------------------------------------------------------------------------
// Driving the workbench: through the command palette and the keyboard, as a user does.

class Workbench {
  constructor(page) {
    this.page = page;
  }

  async open(url) {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: WAIT });
    // The explorer lists the folder once the workbench is ready for input.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WAIT });
  }

  /** The quick input's text box, once visible. */
  async quickInput() {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: WAIT });
    return input;
  }

  /** Runs a command by its palette title (an exact row match, not the first fuzzy one). */
  async command(title) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = await this.quickInput();
    await input.fill(`>${title}`);
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const row = rows.filter({ hasText: title }).first();
    try {
      await row.waitFor({ timeout: WAIT / 3 });
    } catch (error) {
      const offered = await rows.allTextContents();
      throw new Error(`no command "${title}" in the palette (offered: ${offered.join(' | ')}): ${error.message}`);
    }
    await row.click();
  }

  /** Opens a workspace file with Go to File (path and name, so two equal names are told apart). */
  async openFile(relative) {
    await this.command('Go to File...');
    const input = await this.quickInput();
    await input.fill(relative);
    const dir = path.dirname(relative);
    const row = this.page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: path.basename(relative) })
      .filter({ hasText: dir });
    await row.first().waitFor({ timeout: WAIT });
    await row.first().click();
    await this.page
      .locator(`.tabs-container .tab.active[data-resource-name="${path.basename(relative)}"]`)
      .waitFor({ timeout: WAIT });
    await this.editor().locator('.view-lines').waitFor({ timeout: WAIT });
  }

  /** Picks an entry of the open code action menu with the keyboard (the menu blocks the mouse). */
  async chooseAction(title) {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const count = await rows.count();
    for (let i = 0; i <= count; i++) {
      const focused = this.page.locator('.action-widget .monaco-list-row.action.focused');
      if ((await focused.getAttribute('aria-label', { timeout: WAIT })) === title) {
        await this.page.keyboard.press('Enter');
        await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: WAIT });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`no code action "${title}" in ${(await rows.allTextContents()).join(' | ')}`);
  }

  /** The active text editor. */
  editor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Puts the cursor at a 1-based line and column (Go to Line/Column). */
  async goTo(line, column) {
    await this.command('Go to Line/Column...');
    const input = await this.quickInput();
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page
      .locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` })
      .waitFor({ timeout: WAIT });
  }

  /** The text of a status bar item found by its id. */
  statusItem(id) {
    return this.page.locator(`.statusbar-item[id="${id}"]`);
  }

  async screenshot(name) {
    await this.page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  }
}

/** Waits until `probe` returns a truthy value; the last failure is in the error. */
async function until(what, probe, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// ---------------------------------------------------------------------------------------------
// Expectations derived from the CLI's report.

const SEVERITY_OF_CATEGORY = { 1: 'information', 2: 'warning', 3: 'error' }; // fixtures/drifted/.moment/sync.json

function countsBySeverity(points) {
  const counts = { error: 0, warning: 0, information: 0 };
  for (const point of points) {
    counts[SEVERITY_OF_CATEGORY[point.category]]++;
  }
  return counts;
}

/** The status bar text the extension shows for these points (editors/vscode/src/logic/summary.ts). */
function statusText(points) {
  if (points.length === 0) {
    return 'moment-sync';
  }
  const highest = Math.max(...points.map((point) => point.category));
  return `${points.length} drift point${points.length === 1 ? '' : 's'} · cat ${highest}`;
}

function implementationPoints(report, file) {
  return report.driftPoints.filter((point) => point.implementation && (!file || point.implementation.path === file));
}

function problemsLabel(counts) {
  return `Errors: ${counts.error}, Warnings: ${counts.warning}, Infos: ${counts.information}`;
}

/** The recorded decisions: one JSON object a line in .moment/sync-log.jsonl. */
function decisions() {
  const log = path.join(dirs.workspace, '.moment/sync-log.jsonl');
  if (!fs.existsSync(log)) {
    return [];
  }
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

function readWorkspace(relative) {
  return fs.readFileSync(path.join(dirs.workspace, relative), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// The test.

const steps = [];

async function step(name, wb, body) {
  const t0 = Date.now();
  try {
    await body();
    steps.push(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    console.log(steps.at(-1));
  } catch (error) {
    console.log(`FAIL ${name}: ${error.message}`);
    await wb?.screenshot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => {});
    throw error;
  }
}

async function main() {
  prepare();
  const server = installExtension();
  const report = checkReport(server);
  const implAll = implementationPoints(report);
  const implFile = implementationPoints(report, IMPL);
  assert.ok(implAll.length > 0 && implFile.length > 0, 'the fixture has drift in the implementation');
  console.log(`check: ${report.summary.driftPoints} drift points, ${implAll.length} on the implementation side`);

  const { child, url } = await startCodeServer();
  const context = await launchBrowser();
  let wb;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    wb = new Workbench(page);
    await step('workbench loads', wb, () => wb.open(url));

    await step('squiggles in the drifted implementation file', wb, async () => {
      await wb.openFile(IMPL);
      const editor = wb.editor();
      const perFile = countsBySeverity(implFile);
      for (const [severity, css] of [['error', 'squiggly-error'], ['warning', 'squiggly-warning'], ['information', 'squiggly-info']]) {
        if (perFile[severity] > 0) {
          await editor.locator(`.view-overlays .cdr.${css}, .view-overlays .${css}`).first().waitFor({ timeout: WAIT });
        }
      }
      await wb.screenshot('01-squiggles');
    });

    await step('the status bar counts what check counts', wb, async () => {
      await until(`status bar "${statusText(implAll)}"`, async () =>
        (await wb.statusItem('moment-sync.moment-sync.momentSync.status').textContent()).includes(statusText(implAll)),
      );
    });

    await step('the Problems count equals check --format json (implementation side)', wb, async () => {
      const expected = problemsLabel(countsBySeverity(implAll));
      await until(`"${expected}" in the status bar`, async () =>
        (await wb.statusItem('status.problems').getAttribute('aria-label')) === expected,
      );
      // The Problems item of the status bar opens the view, as a user would.
      await wb.statusItem('status.problems').click();
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ timeout: WAIT });
      // The Problems tab's badge: every problem VS Code holds (hints are not problems).
      const badge = page
        .locator('.pane-composite-part.panel .composite-bar .action-item', { hasText: 'Problems' })
        .locator('.badge-content');
      await until(`Problems badge ${implAll.length}`, async () => (await badge.textContent()).trim() === String(implAll.length));
      // Collapsed to one row per file: only the implementation's files, each with its count
      // from check (each drift point once, nothing under the spec's generated/).
      await page.locator('.pane-composite-part.panel .action-label.codicon-collapse-all').filter({ visible: true }).first().click();
      const perFile = new Map();
      for (const point of implAll) {
        perFile.set(point.implementation.path, (perFile.get(point.implementation.path) ?? 0) + 1);
      }
      const rows = panel.locator('.monaco-list-row');
      await until(`${perFile.size} file rows in Problems`, async () => (await rows.count()) === perFile.size);
      const rowsText = await rows.allTextContents();
      for (const [file, count] of perFile) {
        const name = path.basename(file);
        const dir = path.dirname(file);
        assert.ok(
          rowsText.some((text) => text.includes(name) && text.includes(dir) && text.trim().endsWith(String(count))),
          `no Problems row "${file}: ${count}" in ${rowsText.join(' | ')}`,
        );
      }
      await wb.screenshot('02-problems');
      await wb.command('View: Hide Panel');
    });

    const changedType = implFile.find((point) => point.kind === 'changed-type');
    assert.ok(changedType, 'the fixture has a changed-type point in the implementation file');

    await step('hover explains the category', wb, async () => {
      await wb.openFile(IMPL);
      await wb.goTo(changedType.implementation.line, changedType.implementation.column);
      await wb.command('Show or Focus Hover');
      // The diagnostic's part shows first; the server's hover (the explanation) joins it.
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: `category ${changedType.category}` });
      await hover.first().waitFor({ timeout: WAIT });
      const text = await hover.first().textContent();
      assert.ok(text.includes(changedType.kind), text);
      assert.match(text, /manageable drift|clean apply|breaking/);
      assert.ok(text.includes(changedType.message), text);
      await wb.screenshot('03-hover');
      await page.keyboard.press('Escape');
    });

    const before = readWorkspace(IMPL);
    await step('a quick fix changes the file, and is recorded when saved', wb, async () => {
      const fix = changedType.fixes[0];
      await wb.goTo(changedType.implementation.line, changedType.implementation.column);
      await wb.command('Quick Fix...');
      const item = page.locator('.action-widget .monaco-list-row', { hasText: fix.title });
      await item.first().waitFor({ timeout: WAIT });
      await wb.screenshot('04-quick-fix');
      await wb.chooseAction(fix.title);
      // The edit is in the editor, not yet on disk, and nothing is recorded before the save.
      await wb.editor().locator('.view-line', { hasText: `total: ${changedType.expected}` }).first().waitFor({ timeout: WAIT });
      assert.equal(readWorkspace(IMPL), before, 'the quick fix wrote the file before the save');
      assert.equal(decisions().length, 0, 'a decision was recorded before the save');
      await wb.command('File: Save');
      await until('the fix on disk', () => readWorkspace(IMPL).includes(`total: ${changedType.expected};`));
      const recorded = await until('a recorded acceptance', () => decisions().length > 0 && decisions());
      // No git user.name, no $USER: the editor's name from clientInfo (item 4).
      const actors = [...new Set(recorded.filter((event) => typeof event.actor === 'string').map((event) => event.actor))];
      console.log(`     recorded: ${recorded.map((event) => event.kind ?? event.type).join(', ')} by ${actors.join(', ')}`);
      assert.ok(recorded.some((event) => event.type === 'ProposalAccepted'), 'no ProposalAccepted');
      assert.equal(actors.length, 1, `actors ${actors}`);
      assert.match(actors[0], / user$/, `actor ${actors[0]}`);
      assert.doesNotMatch(actors[0], /^editor user$/, 'the extension sends clientInfo: a named editor');
      await until('status bar one point fewer', async () =>
        (await wb.statusItem('moment-sync.moment-sync.momentSync.status').textContent()).includes(
          statusText(implAll.filter((point) => point.id !== changedType.id)),
        ),
      );
    });

    await step('fix-all applies every clean (category 1) fix', wb, async () => {
      const clean = implAll.filter((point) => point.category === 1);
      assert.ok(clean.length > 0, 'the fixture has clean fixes');
      await wb.command('Moment Sync: Apply All Clean Fixes (Category 1)');
      const left = implAll.filter((point) => point.id !== changedType.id && point.category !== 1);
      await until(`status bar "${statusText(left)}"`, async () =>
        (await wb.statusItem('moment-sync.moment-sync.momentSync.status').textContent()).includes(statusText(left)),
      );
      const text = readWorkspace(IMPL);
      for (const point of clean) {
        const name = point.member ?? point.symbol;
        assert.ok(!before.includes(name) && text.includes(name), `${name} (${point.kind}) not added by fix-all`);
      }
      // Only the clean fixes: the category-2 points are still there (e.g. the enum's missing CHF).
      assert.ok(text.includes('customerID'), 'fix-all touched a category-2 point');
      await wb.openFile(IMPL);
      await wb.screenshot('05-after-fix-all');
    });

    await step('the spec side shows hints, counted apart', wb, async () => {
      const expectedStatus = await wb.statusItem('moment-sync.moment-sync.momentSync.status').textContent();
      const expectedProblems = await wb.statusItem('status.problems').getAttribute('aria-label');
      await wb.openFile(SPEC);
      // The drift points still open after the fixes have items the implementation lacks.
      const lacking = checkReport(server).driftPoints.filter(
        (point) => point.spec?.path === SPEC && point.kind.startsWith('missing'),
      );
      assert.ok(lacking.length > 0, 'something the implementation still lacks');
      await wb.editor().locator('.view-overlays .squiggly-hint').first().waitFor({ timeout: WAIT });
      const point = lacking[0];
      await wb.goTo(point.spec.line, point.spec.column);
      await wb.command('Show or Focus Hover');
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'not in the implementation yet' });
      await hover.first().waitFor({ timeout: WAIT });
      await wb.screenshot('06-spec-hint');
      await page.keyboard.press('Escape');
      assert.equal(await wb.statusItem('moment-sync.moment-sync.momentSync.status').textContent(), expectedStatus);
      assert.equal(await wb.statusItem('status.problems').getAttribute('aria-label'), expectedProblems);
      const tooltip = await wb.statusItem('moment-sync.moment-sync.momentSync.status').getAttribute('aria-label');
      assert.match(tooltip, /spec-side hint/);
    });
  } finally {
    await context.close().catch(() => {});
    child.kill();
  }
  console.log(`vscode e2e: ${steps.length} steps passed in ${((Date.now() - started) / 1000).toFixed(0)}s; screenshots in ${artifacts}`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error.stack ?? error);
  console.error(`vscode e2e FAILED after ${((Date.now() - started) / 1000).toFixed(0)}s; work dir ${work}, screenshots in ${artifacts}`);
  process.exit(1);
});
