// Differential test of the drift engine against the TypeScript checker.
//
// A seeded generator writes pairs of declarations (spec side, implementation side) across the type
// grammar: equivalent rewrites (formatting, order, parentheses, quote style, literal notation,
// Array<T> vs T[], labels, interface vs type alias, method vs function property, getters,
// semicolon-free members) and real changes (a changed leaf, a dropped union member, optionality,
// arity, rest, return types...). The oracle is the checker: a pair differs when the two
// declarations are not mutually assignable (enums: when their members' constant values differ).
// `moment-sync check --format json` must report a drift point for exactly the pairs that differ.
// Deliberate differences (docs/drift-kinds.md, "Differences from the checker") are generated in
// their own category and must be reported by the engine although the checker assigns both ways.
//
// usage: node differential.mjs <moment-sync binary> [pairs=5000] [seed=1]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";

const [binary, pairsArg = "5000", seedArg = "1"] = process.argv.slice(2);
if (!binary) {
  console.error("usage: node differential.mjs <moment-sync binary> [pairs] [seed]");
  process.exit(2);
}
const PAIRS = Number(pairsArg);
let seed = Number(seedArg) >>> 0 || 1;

// ---- seeded randomness (xorshift32) ----
function rand() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 0x100000000;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const chance = (p) => rand() < p;
function shuffle(xs) {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---- the type grammar as data ----
// Types are plain objects; `render(t, eq)` prints them, with random equivalent rewrites when
// `eq` is true.
const PRIMS = ["string", "number", "bigint", "null", "undefined", "symbol"];
// In unions only leaves that no other generated member subsumes (`42 | number` is `number` to the
// checker, a two-member union to a syntactic comparison).
const UNION_PRIMS = ["null", "undefined", "symbol"];
const STRINGS = ["a", "b", "x y", "a\n", "a\\n", "é", "q\"", "it's", ""];
const NUMBERS = [0, 1, 16, 1000, 0.5, 255, 42, -1];
const KEYS = ["id", "name", "total", "in", "get", "new", "readonly", "a-b", "0", "x y"];

function genType(depth) {
  if (depth <= 0 || chance(0.3)) return genLeaf();
  const k = pick([
    "union", "union", "array", "roarray", "tuple", "object", "object", "fn", "ctor", "inter",
    "template", "keyof", "cond", "mapped",
  ]);
  switch (k) {
    case "union": {
      const n = 2 + int(3);
      const members = [];
      for (let i = 0; i < n; i++) members.push(genUnionMember(depth - 1));
      return { k, members };
    }
    case "array":
    case "roarray":
      return { k, elem: genType(depth - 1) };
    case "tuple": {
      const n = 1 + int(3);
      const elems = [];
      for (let i = 0; i < n; i++) {
        elems.push({ t: genType(depth - 1), opt: false, rest: false, label: chance(0.4) ? `e${i}` : null });
      }
      // Optional elements only at the end; at most one rest, last.
      if (chance(0.3)) elems[elems.length - 1].opt = true;
      else if (chance(0.2)) elems[elems.length - 1].rest = true;
      return { k, elems };
    }
    case "object":
      return { k, members: genMembers(depth - 1) };
    case "inter":
      // Disjoint keys: a key in both parts intersects its types, which only a checker evaluates.
      return { k, members: [{ k: "object", members: genMembers(depth - 1, KEYS.slice(0, 5)) }, { k: "object", members: genMembers(depth - 1, KEYS.slice(5)) }] };
    case "fn":
    case "ctor": {
      const n = int(3);
      const params = [];
      for (let i = 0; i < n; i++) params.push({ t: genType(depth - 1), opt: false, rest: false });
      if (n > 0 && chance(0.2)) params[n - 1].rest = true, params[n - 1].t = { k: "array", elem: params[n - 1].t };
      else if (n > 0 && chance(0.3)) params[n - 1].opt = true;
      return { k, params, ret: genType(depth - 1), generic: k === "fn" && chance(0.15) };
    }
    case "template":
      return { k, parts: [pick(["id-", "", "a b", " "]), pick(["string", "number"]), pick(["", " ", "-x", "\\n"])] };
    case "keyof":
      return { k, obj: { k: "object", members: genMembers(depth - 1).filter((m) => m.kind === "prop") } };
    case "cond":
      return { k, check: genLeaf(), ext: genLeaf(), yes: genType(depth - 1), no: genType(depth - 1) };
    case "mapped":
      return { k, keys: shuffle(["a", "b", "c"]).slice(0, 1 + int(3)), opt: chance(0.3), ro: chance(0.3), value: genType(depth - 1) };
  }
  return genLeaf();
}

function genUnionMember(depth) {
  if (depth <= 0 || chance(0.5)) {
    return chance(0.5) ? { k: "prim", v: pick(UNION_PRIMS) } : { k: "lit", v: pick(STRINGS) };
  }
  return pick([
    () => ({ k: "array", elem: genUnionMember(depth - 1) }),
    () => ({ k: "tuple", elems: [{ t: genUnionMember(depth - 1), opt: false, rest: false, label: null }] }),
    () => ({ k: "fn", params: [], ret: genType(depth - 1), generic: false }),
  ])();
}

function genLeaf() {
  switch (int(4)) {
    case 0:
      return { k: "lit", v: pick(STRINGS) };
    case 1:
      return { k: "num", v: pick(NUMBERS) };
    case 2:
      return { k: "prim", v: pick(["true", "false"]) };
    default:
      return { k: "prim", v: pick(PRIMS) };
  }
}

function genMembers(depth, keys = KEYS) {
  const n = 1 + int(Math.min(4, keys.length));
  const names = shuffle(keys).slice(0, n);
  return names.map((name) => {
    if (chance(0.25)) {
      const params = [];
      for (let i = 0; i < int(3); i++) params.push({ t: genType(depth - 1), opt: false, rest: false });
      return { kind: "method", name, params, ret: genType(depth - 1) };
    }
    return { kind: "prop", name, t: genType(depth), opt: chance(0.3), ro: chance(0.3) };
  });
}

// ---- printing ----
function key(name, eq) {
  const ident = /^[A-Za-z_$][\w$]*$/.test(name);
  if (ident && !(eq && chance(0.2))) return name;
  return strLit(name, eq);
}

function strLit(v, eq) {
  const q = eq && chance(0.5) ? "'" : '"';
  let out = "";
  for (const c of v) {
    if (c === "\\") out += "\\\\";
    else if (c === q) out += "\\" + q;
    else if (c === "\n") out += eq && chance(0.5) ? "\\u000a" : "\\n";
    else if (eq && chance(0.1) && /[a-z]/.test(c)) out += "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
    else out += c;
  }
  return q + out + q;
}

function numLit(v, eq) {
  if (v < 0) return "-" + numLit(-v, eq);
  if (!eq) return String(v);
  if (Number.isInteger(v)) {
    return pick([String(v), "0x" + v.toString(16), "0b" + v.toString(2), v >= 1000 ? "1_000".replace("1_000", v.toLocaleString("en").replaceAll(",", "_")) : String(v), v === 1000 ? "1e3" : String(v)]);
  }
  return pick([String(v), String(v).replace(/^0\./, "."), String(v) + "0"]);
}

function paren(s, eq) {
  return eq && chance(0.1) ? `(${s})` : s;
}

// Precedence: 0 function/conditional, 1 union, 2 intersection, 3 prefix, 4 primary.
function render(t, eq) {
  return renderP(t, eq).text;
}

function at(r, min) {
  return r.prec < min ? `(${r.text})` : r.text;
}

function renderP(t, eq) {
  const P = (text) => ({ text: paren(text, eq), prec: 4 });
  switch (t.k) {
    case "prim":
      return P(t.v);
    case "lit":
      return P(strLit(t.v, eq));
    case "num":
      return t.v < 0 ? { text: numLit(t.v, eq), prec: 3 } : P(numLit(t.v, eq));
    case "union": {
      let members = t.members.map((m) => at(renderP(m, eq), 2));
      if (eq) {
        members = shuffle(members);
        if (chance(0.2)) members.push(members[0]);
      }
      return { text: members.join(" | "), prec: 1 };
    }
    case "inter": {
      let members = t.members.map((m) => at(renderP(m, eq), 3));
      if (eq) members = shuffle(members);
      return { text: members.join(" & "), prec: 2 };
    }
    case "array": {
      const e = renderP(t.elem, eq);
      if (eq && chance(0.4)) return P(`Array<${e.text}>`);
      return P(`${at(e, 4)}[]`);
    }
    case "roarray": {
      const e = renderP(t.elem, eq);
      if (eq && chance(0.4)) return P(`ReadonlyArray<${e.text}>`);
      return { text: `readonly ${at(e, 4)}[]`, prec: 3 };
    }
    case "tuple": {
      const labelled = t.elems.some((e) => e.label) && !(eq && chance(0.3));
      const parts = t.elems.map((e, i) => {
        const ty = renderP(e.t, eq);
        if (labelled) {
          const label = eq ? `l${i}` : e.label || `e${i}`;
          if (e.rest) return `...${label}: ${at(ty, 4)}[]`;
          return `${label}${e.opt ? "?" : ""}: ${ty.text}`;
        }
        if (e.rest) return `...${at(ty, 4)}[]`;
        return e.opt ? `${at(ty, 4)}?` : ty.text;
      });
      return P(`[${parts.join(", ")}]`);
    }
    case "object":
      return P(objectBody(t.members, eq, false));
    case "fn":
    case "ctor": {
      const params = t.params.map((p, i) => {
        const name = eq ? `p${i}${int(9)}` : `a${i}`;
        const ty = render(p.t, eq);
        if (p.rest) return `...${name}: ${ty}`;
        return `${name}${p.opt ? "?" : ""}: ${ty}`;
      });
      const tp = t.generic ? "<T>" : "";
      const ret = render(t.ret, eq);
      const prefix = t.k === "ctor" ? "new " : "";
      return { text: `${prefix}${tp}(${params.join(", ")}) => ${ret}`, prec: 0 };
    }
    case "template": {
      const esc = (s) => s;
      return P("`" + esc(t.parts[0]) + "${" + (eq && chance(0.3) ? ` ${t.parts[1]} ` : t.parts[1]) + "}" + esc(t.parts[2]) + "`");
    }
    case "keyof":
      return { text: `keyof ${objectBody(t.obj.members, eq, false)}`, prec: 3 };
    case "cond":
      return {
        text: `${at(renderP(t.check, eq), 1)} extends ${at(renderP(t.ext, eq), 1)} ? ${render(t.yes, eq)} : ${render(t.no, eq)}`,
        prec: 0,
      };
    case "mapped": {
      let keys = t.keys.map((k) => strLit(k, eq));
      if (eq) keys = shuffle(keys);
      const ro = t.ro ? (eq && chance(0.3) ? "+readonly " : "readonly ") : "";
      const opt = t.opt ? (eq && chance(0.3) ? "+?" : "?") : "";
      return P(`{ ${ro}[K in ${keys.join(" | ")}]${opt}: ${render(t.value, eq)} }`);
    }
  }
  throw new Error("unknown type " + t.k);
}

function memberText(m, eq, inClass) {
  if (m.kind === "method") {
    const params = m.params.map((p, i) => `${eq ? "q" : "a"}${i}: ${render(p.t, eq)}`).join(", ");
    const ret = render(m.ret, eq);
    if (!inClass && eq && chance(0.3)) return `${key(m.name, eq)}: (${params}) => ${ret}`;
    // `new(): T` is a construct signature, not a method named `new`.
    const name = m.name === "new" ? strLit(m.name, eq) : key(m.name, eq);
    return `${name}(${params}): ${ret}`;
  }
  const ty = render(m.t, eq);
  if (!inClass && m.ro && !m.opt && eq && chance(0.3)) return `get ${key(m.name, eq)}(): ${ty}`;
  return `${m.ro ? "readonly " : ""}${key(m.name, eq)}${m.opt ? "?" : ""}: ${ty}`;
}

function objectBody(members, eq, inClass, indent = "") {
  let texts = members.map((m) => memberText(m, eq, inClass));
  if (eq) texts = shuffle(texts);
  if (texts.length === 0) return "{}";
  const style = eq ? int(4) : 0;
  switch (style) {
    case 1:
      return `{ ${texts.join(", ")} }`;
    case 2:
      // One member a line, no separators (automatic semicolon insertion).
      return `{\n${texts.map((t) => `${indent}  ${t}`).join("\n")}\n${indent}}`;
    case 3:
      return `{\n${texts.map((t) => `${indent}  /* c */ ${t};`).join("\n")}\n${indent}}`;
    default:
      return `{ ${texts.join("; ")} }`;
  }
}

// ---- declarations ----
function genDecl(name) {
  switch (pick(["alias", "alias", "alias", "interface", "interface", "class", "enum"])) {
    case "interface":
      return { kind: "interface", name, members: genMembers(2) };
    case "class":
      return { kind: "class", name, members: genMembers(2) };
    case "enum": {
      const names = shuffle(["A", "B", "C", "D"]).slice(0, 1 + int(4));
      const strings = chance(0.4);
      return {
        kind: "enum",
        name,
        members: names.map((n, i) => ({ name: n, value: strings ? pick(STRINGS) : chance(0.5) ? null : pick(NUMBERS.filter((x) => x >= 0 && Number.isInteger(x))) + i })),
      };
    }
    default:
      return { kind: "alias", name, t: genType(3) };
  }
}

function renderDecl(d, eq) {
  switch (d.kind) {
    case "alias":
      return `export type ${d.name} = ${render(d.t, eq)};`;
    case "interface":
      if (eq && chance(0.3)) return `export type ${d.name} = ${objectBody(d.members, eq, false)};`;
      return `export interface ${d.name} ${objectBody(d.members, eq, false)}`;
    case "class": {
      // Semicolons stay: class members without them are JavaScript's ASI rules, not types'.
      let texts = d.members.map((m) => memberText(m, eq, true) + ";");
      if (eq) texts = shuffle(texts);
      return `export declare class ${d.name} { ${texts.join(" ")} }`;
    }
    case "enum": {
      let implicit = 0;
      const texts = d.members.map((m) => {
        if (m.value === null) {
          return eq && chance(0.5) ? `${m.name} = ${numLit(implicit++, eq)}` : (implicit++, m.name);
        }
        if (typeof m.value === "number") {
          implicit = m.value + 1;
          return `${m.name} = ${numLit(m.value, eq)}`;
        }
        return `${m.name} = ${strLit(m.value, eq)}`;
      });
      // Enum members after a string member need initializers: keep such enums as written.
      return `export enum ${d.name} { ${texts.join(", ")} }`;
    }
  }
  throw new Error(d.kind);
}

// ---- real changes ----
const clone = (x) => JSON.parse(JSON.stringify(x));

// A type no generated type equals (a leaf could equal what a conditional evaluates to).
const BRAND = { k: "object", members: [{ kind: "prop", name: "changed", t: { k: "prim", v: "symbol" }, opt: false, ro: false }] };
// What replaces the type `old`: a fresh leaf, or the brand when `old` holds a conditional or
// `keyof` (the checker evaluates those, and the leaf may be what they evaluate to).
const replacementOf = (old) => (/"k":"(cond|keyof)"/.test(JSON.stringify(old ?? null)) ? clone(BRAND) : genLeaf());

// Each mutation returns a changed copy, or null when it does not apply.
function mutateType(t) {
  const c = clone(t);
  const spots = [];
  (function walk(node, set) {
    spots.push([node, set]);
    // The checker evaluates `keyof` and conditional types; a change inside them may vanish in the
    // result (docs/drift-kinds.md). They are replaced as a whole instead.
    if (node.k === "keyof" || node.k === "cond") return;
    for (const [k, v] of Object.entries(node)) {
      if (v && typeof v === "object" && !Array.isArray(v) && v.k) walk(v, (n) => (node[k] = n));
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          if (x && typeof x === "object") {
            if (x.k) walk(x, (n) => (v[i] = n));
            else if (x.t && x.t.k) walk(x.t, (n) => (x.t = n));
            if (x.ret && x.ret.k) walk(x.ret, (n) => (x.ret = n));
          }
        });
      }
    }
  })(c, null);
  const [node, set] = pick(spots);
  const replaceLeaf = () => {
    const leaf = genLeaf();
    if (set) set(leaf);
    else return leaf;
    return c;
  };
  switch (node.k) {
    case "union":
      // Not `undefined`: `a?: T | undefined` is `a?: T` to the checker (a deliberate difference).
      const removable = node.members.map((m, i) => i).filter((i) => !(node.members[i].k === "prim" && node.members[i].v === "undefined"));
      if (node.members.length > 2 && removable.length && chance(0.5)) {
        node.members.splice(pick(removable), 1);
        return c;
      }
      node.members.push(genLeaf());
      return c;
    case "tuple": {
      const e = pick(node.elems);
      if (chance(0.5)) {
        node.elems.push({ t: genLeaf(), opt: false, rest: false, label: null });
        if (node.elems.length > 1) for (const x of node.elems.slice(0, -1)) (x.opt = false), (x.rest = false);
      } else e.t = replacementOf(e.t);
      return c;
    }
    case "fn":
    case "ctor":
      if (chance(0.5)) node.ret = replacementOf(node.ret);
      else node.params.push({ t: genLeaf(), opt: false, rest: false }), node.params.forEach((p) => ((p.opt = false), (p.rest = p.rest && false)));
      return c;
    case "object": {
      const m = pick(node.members);
      if (!m) {
        node.members.push({ kind: "prop", name: "added", t: genLeaf(), opt: false, ro: false });
        return c;
      }
      if (m.kind === "prop" && chance(0.4)) m.opt = !m.opt;
      else if (m.kind === "prop") m.t = replacementOf(m.t);
      else m.ret = replacementOf(m.ret);
      return c;
    }
    case "mapped":
      // Dropping an optional key is no change to the checker (an optional member, see below).
      if (!node.opt && chance(0.5)) node.keys = node.keys.length > 1 ? node.keys.slice(1) : ["a", "z"];
      else node.opt = !node.opt;
      return c;
    case "template":
      node.parts[2] = node.parts[2] + " ";
      return c;
    case "array":
      // A brand no generated type equals (a leaf could equal what a conditional evaluates to).
      node.elem = { k: "object", members: [{ kind: "prop", name: "changed", t: { k: "prim", v: "symbol" }, opt: false, ro: false }] };
      return c;
    case "keyof":
    case "cond": {
      const brand = { k: "object", members: [{ kind: "prop", name: "changed", t: { k: "prim", v: "symbol" }, opt: false, ro: false }] };
      if (set) set(brand);
      else return brand;
      return c;
    }
    default:
      return replaceLeaf();
  }
}

function mutateDecl(d) {
  const c = clone(d);
  switch (d.kind) {
    case "alias":
      c.t = mutateType(d.t);
      return c;
    case "interface":
    case "class": {
      const m = pick(c.members);
      const r = int(3);
      if (r === 0) c.members.push({ kind: "prop", name: "added", t: genLeaf(), opt: false, ro: false });
      else if (r === 1 && m.kind === "prop") m.t = mutateType(m.t);
      else if (m.kind === "method") m.ret = mutateType(m.ret);
      else m.opt = !m.opt;
      return c;
    }
    case "enum": {
      const m = pick(c.members);
      if (chance(0.5)) c.members.push({ name: "E", value: 99 });
      else m.value = typeof m.value === "string" ? m.value + "x" : (m.value ?? 0) + 7;
      return c;
    }
  }
  return c;
}

// Deliberate differences: the engine reports them, the checker assigns both ways.
function deliberate(d) {
  const c = clone(d);
  if (d.kind === "interface" || d.kind === "class") {
    const props = c.members.filter((m) => m.kind === "prop");
    if (props.length && chance(0.5)) {
      const m = pick(props);
      m.ro = !m.ro;
      return [c, "readonly"];
    }
    c.members.push({ kind: "prop", name: "extraOptional", t: genLeaf(), opt: true, ro: false });
    return [c, "optional member"];
  }
  return null;
}

// ---- generation ----
const specDecls = [];
const implDecls = [];
const labels = new Map();
for (let i = 0; i < PAIRS; i++) {
  const name = `T${i}`;
  const d = genDecl(name);
  specDecls.push(renderDecl(d, false));
  const r = rand();
  let impl = d;
  let label = "equivalent";
  if (r < 0.45) {
    impl = mutateDecl(d);
    label = "change";
  } else if (r < 0.5) {
    const del = deliberate(d);
    if (del) [impl, label] = [del[0], `deliberate: ${del[1]}`];
  }
  implDecls.push(renderDecl(impl, true));
  labels.set(name, label);
}

// ---- the oracle ----
function oracle(spec, impl) {
  const file = "oracle.ts";
  const text = `namespace S {\n${spec.join("\n")}\n}\nnamespace I {\n${impl.join("\n")}\n}\n`;
  const options = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (f, lang, ...rest) =>
    f === file ? ts.createSourceFile(f, text, lang, true) : read.call(host, f, lang, ...rest);
  const program = ts.createProgram([file], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && d.file.fileName === file);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const ns = {};
  for (const stmt of source.statements) {
    if (ts.isModuleDeclaration(stmt)) {
      const sym = checker.getSymbolAtLocation(stmt.name);
      ns[stmt.name.text] = checker.getExportsOfModule(sym);
    }
  }
  const byName = (list) => new Map(list.map((s) => [s.name, s]));
  const S = byName(ns.S);
  const I = byName(ns.I);
  const verdict = new Map();
  for (const [name, s] of S) {
    const i = I.get(name);
    if (s.flags & ts.SymbolFlags.Enum) {
      const values = (sym) => {
        const decl = sym.declarations[0];
        const entries = decl.members.map((m) => [m.name.getText(), checker.getConstantValue(m)]);
        entries.sort((x, y) => (x[0] < y[0] ? -1 : 1));
        return JSON.stringify(entries);
      };
      verdict.set(name, values(s) !== values(i));
      continue;
    }
    const a = checker.getDeclaredTypeOfSymbol(s);
    const b = checker.getDeclaredTypeOfSymbol(i);
    verdict.set(name, !(checker.isTypeAssignableTo(a, b) && checker.isTypeAssignableTo(b, a)));
  }
  return { verdict, diagnostics, text };
}

// ---- the engine ----
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moment-diff-"));
fs.mkdirSync(path.join(dir, ".moment"));
fs.mkdirSync(path.join(dir, "generated"));
fs.mkdirSync(path.join(dir, "src/domain"), { recursive: true });
fs.writeFileSync(path.join(dir, "generated/pairs.types.ts"), specDecls.join("\n") + "\n");
fs.writeFileSync(path.join(dir, "src/domain/pairs.types.ts"), implDecls.join("\n") + "\n");
let out;
try {
  out = execFileSync(binary, ["check", "--format", "json", dir], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
} catch (e) {
  if (e.status !== 1) {
    console.error(String(e.stderr));
    throw e;
  }
  out = e.stdout;
}
const report = JSON.parse(String(out));
const flagged = new Map();
for (const p of report.driftPoints) {
  if (!flagged.has(p.symbol)) flagged.set(p.symbol, []);
  flagged.get(p.symbol).push(`${p.kind} ${p.member ?? ""} ${p.expected ?? ""} | ${p.actual ?? ""}`);
}

const { verdict, diagnostics, text } = oracle(specDecls, implDecls);
// The generator must write valid TypeScript: a checker error means the pair is not meaningful.
const broken = new Set();
for (const d of diagnostics) {
  const line = d.file.getLineAndCharacterOfPosition(d.start).line;
  const m = /\b(T\d+)\b/.exec(text.split("\n")[line] ?? "");
  broken.add(m ? m[1] : "?");
}

let falsePoints = 0;
let missed = 0;
let deliberateSeen = 0;
let deliberateMissed = 0;
let changes = 0;
const failures = [];
for (let i = 0; i < PAIRS; i++) {
  const name = `T${i}`;
  if (broken.has(name)) continue;
  const checkerDiffers = verdict.get(name);
  const engineDiffers = flagged.has(name);
  const label = labels.get(name);
  if (checkerDiffers) changes++;
  if (label.startsWith("deliberate")) {
    deliberateSeen++;
    if (!engineDiffers && !checkerDiffers) {
      deliberateMissed++;
      failures.push(`${name} (${label}) not reported`);
    }
    continue;
  }
  if (engineDiffers && !checkerDiffers) {
    falsePoints++;
    failures.push(`false point ${name} (${label}): ${flagged.get(name).join("; ")}\n  spec: ${specDecls[i]}\n  impl: ${implDecls[i]}`);
  } else if (!engineDiffers && checkerDiffers) {
    missed++;
    failures.push(`missed change ${name} (${label})\n  spec: ${specDecls[i]}\n  impl: ${implDecls[i]}`);
  }
}
const compared = PAIRS - broken.size;
console.log(
  `differential: ${compared} pairs compared (${broken.size} skipped: not valid TypeScript), ${changes} real changes by the checker, ` +
    `${deliberateSeen} deliberate differences; false points: ${falsePoints}, missed changes: ${missed}, deliberate not reported: ${deliberateMissed}`,
);
for (const f of failures.slice(0, 30)) console.log(f);
if (broken.size > PAIRS / 20) {
  console.log(`too many invalid pairs: ${[...broken].slice(0, 10).join(", ")}`);
  for (const d of diagnostics.slice(0, 5)) console.log(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  process.exit(1);
}
if (failures.length === 0) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`workspace kept for inspection: ${dir}`);
process.exit(failures.length === 0 && compared >= 5000 ? 0 : 1);
