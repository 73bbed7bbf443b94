// Fixes that compile (issue 10): `fix --max-category 3` on fixtures/compiles-after-fix, then
// `tsc --noEmit` on the implementation: no error that was not there before.
//
// The fixture's spec (`generated/`) has moved on from a recorded sync at which it equalled the
// implementation (the script records that sync first: `src/domain` copied as the spec,
// `reconcile`), so every point is spec-ahead: renamed types and members, removed members, types
// and union members, added members and types referencing types of other files.
//
// Usage: node compiles.mjs <moment-sync binary>
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2];
if (!binary) {
  console.error("usage: node compiles.mjs <moment-sync binary>");
  process.exit(2);
}
const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
const fixture = join(here, "..", "..", "fixtures", "compiles-after-fix");

const root = mkdtempSync(join(tmpdir(), "moment-compiles-"));
cpSync(fixture, root, { recursive: true });
const run = (...args) =>
  execFileSync(binary, args, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

// The last sync: the spec equalled the implementation.
renameSync(join(root, "generated"), join(root, "generated.new"));
cpSync(join(root, "src", "domain"), join(root, "generated"), { recursive: true });
run("reconcile", root);
rmSync(join(root, "generated"), { recursive: true });
renameSync(join(root, "generated.new"), join(root, "generated"));

/** `tsc --noEmit` diagnostics as `file: TSxxxx message` (positions move with the fixes). */
function diagnostics() {
  const out = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json"), "--noEmit", "--pretty", "false"], {
    cwd: root,
    encoding: "utf8",
  });
  return out.stdout
    .split("\n")
    .filter((l) => l.includes(": error TS"))
    .map((l) => l.replace(/\(\d+,\d+\)/, ""));
}

const before = diagnostics();
const fixed = run("fix", "--max-category", "3", root);
const after = diagnostics();
const left = [...before];
const added = after.filter((d) => {
  const i = left.indexOf(d);
  if (i < 0) return true;
  left.splice(i, 1);
  return false;
});
const check = spawnSync(binary, ["check", root], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const summary = fixed.split("\n").find((l) => /^applied /.test(l));
console.log(`compiles-after-fix: ${summary}`);
console.log(`tsc errors before: ${before.length}, after: ${after.length}, new: ${added.length}`);
let failed = false;
if (added.length > 0) {
  console.error("new tsc errors after fix --max-category 3:\n" + added.join("\n"));
  failed = true;
}
if (!check.stdout.includes("no drift")) {
  console.error("check after fix still reports drift:\n" + check.stdout);
  failed = true;
}
rmSync(root, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
