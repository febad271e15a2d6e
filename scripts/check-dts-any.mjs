#!/usr/bin/env node
// Lists every `any` type in the published declarations (dist/**/*.d.ts, or the folder given as the
// first argument), read with the TypeScript parser so words in comments and names such as `dt.any`
// do not count. Exits 1 when one is found outside ALLOWED. `node scripts/check-dts-any.mjs [dir]`
// (build first: `npx tsc -p tsconfig.build.json`); `--count` prints the total and always exits 0;
// `--all` counts the allowed ones too.

import ts from "typescript";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** file:declaration pairs where `any` is meant (internal plumbing, not a public parameter). */
const ALLOWED = new Set([
  // the registry's table of op functions: every op signature has to fit the one slot
  "ops/registry.d.ts:OpSpec.fn",
  // the override point of every module: subclasses declare their own forward(x: Tensor): Tensor, and
  // call() takes its types from there; a Sequential passes on whatever its modules return
  "nn/module.d.ts:Module.forward",
  "nn/module.d.ts:Sequential.forward",
  // results, not parameters: nested arrays of any depth, and a checkpoint's entries as they were
  // saved (so that `opt.loadStateDict(ck.optimizer)` and `const rows: number[][] = t.toArray()` compile)
  "tensor/tensor.d.ts:Tensor.toArray",
  "io/checkpoint.d.ts:Checkpoint.optimizer",
  "io/checkpoint.d.ts:Checkpoint.scheduler",
  "io/checkpoint.d.ts:Checkpoint",
]);

const args = process.argv.slice(2);
const countOnly = args.includes("--count");
const all = args.includes("--all"); // ignore ALLOWED
const dir = args.find((a) => !a.startsWith("--")) ?? "dist";

function* walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith(".d.ts")) yield p;
  }
}

/** The dotted names of the declarations holding node, outermost first: `Tensor.toArray`. */
function owner(node) {
  const names = [];
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isSourceFile(n) || ts.isParameter(n)) continue;
    if (n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) names.unshift(n.name.text);
  }
  return names.join(".");
}

const found = [];
for (const file of walk(dir)) {
  const rel = relative(dir, file).split("\\").join("/");
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const key = `${rel}:${owner(node)}`;
      if (all || !ALLOWED.has(key)) {
        const { line } = src.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${rel}:${line + 1} (${key}): ${src.text.split("\n")[line].trim()}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}

if (countOnly) {
  console.log(found.length);
} else if (found.length) {
  console.error(`${found.length} \`any\` in ${dir}/**/*.d.ts:\n` + found.join("\n"));
  process.exit(1);
} else {
  console.log(`no \`any\` in ${dir}/**/*.d.ts`);
}
