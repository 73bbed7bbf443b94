// Real-world identity: TypeScript's lib files, @types/node, @types/react and csstype as the spec
// side, the same files reformatted by Prettier (several styles, including `--no-semi`) as the
// implementation side. Reformatting never changes a type, so `check` must report 0 drift points.
//
// usage: node realworld.mjs <moment-sync binary>
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import * as prettier from "prettier";

const [binary] = process.argv.slice(2);
if (!binary) {
  console.error("usage: node realworld.mjs <moment-sync binary>");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const pkgDir = (name) => path.dirname(require.resolve(`${name}/package.json`));

function dtsFiles(dir, filter = () => true) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "ts5.6" && entry.name !== "ts5.1") out.push(...dtsFiles(full, filter));
    } else if (entry.name.endsWith(".d.ts") && filter(entry.name)) out.push(full);
  }
  return out.sort();
}

const sets = [
  ["typescript-lib", path.join(pkgDir("typescript"), "lib"), (n) => n.startsWith("lib.")],
  ["types-node", pkgDir("@types/node")],
  ["types-react", pkgDir("@types/react")],
  ["csstype", pkgDir("csstype")],
];

const styles = [
  ["default", {}],
  ["no-semi", { semi: false }],
  ["single-quote-wide", { singleQuote: true, trailingComma: "all", printWidth: 160, tabWidth: 4 }],
  ["narrow-no-semi", { semi: false, printWidth: 40, useTabs: true, quoteProps: "consistent" }],
];

let failed = false;
for (const [styleName, options] of styles) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `moment-real-${styleName}-`));
  fs.mkdirSync(path.join(dir, ".moment"));
  let files = 0;
  let bytes = 0;
  for (const [setName, base, filter] of sets) {
    for (const file of dtsFiles(base, filter)) {
      const rel = path.join(setName, path.relative(base, file));
      const text = fs.readFileSync(file, "utf8");
      const formatted = await prettier.format(text, { ...options, parser: "typescript" });
      for (const [side, content] of [["generated", text], ["src/domain", formatted]]) {
        const target = path.join(dir, side, rel);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
      }
      files++;
      bytes += text.length;
    }
  }
  let out;
  try {
    out = execFileSync(binary, ["check", "--format", "json", dir], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.status !== 1) {
      console.error(String(e.stderr));
      process.exit(1);
    }
    out = e.stdout;
  }
  const report = JSON.parse(String(out));
  const points = report.driftPoints;
  console.log(`realworld ${styleName}: ${files} files (${(bytes / 1e6).toFixed(1)} MB), ${report.summary.specTypes} types, ${points.length} drift points`);
  for (const p of points.slice(0, 10)) {
    console.log(`  ${p.kind} ${p.symbol}.${p.member ?? ""} ${p.implementation?.path ?? p.spec?.path}:${p.implementation?.line ?? p.spec?.line}: ${p.expected} | ${p.actual}`);
  }
  if (points.length > 0) {
    failed = true;
    console.log(`  workspace kept for inspection: ${dir}`);
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
