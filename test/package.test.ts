// The package imports as "deeptype" from the repository root (package.json exports, built dist/).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test('import * as dt from "deeptype" works from the repository root', () => {
  assert.ok(existsSync(join(root, "dist/index.js")), "dist/ is missing: npm install (prepare) builds it");
  const code = `import * as dt from "deeptype";
const x = dt.tensor([[1, 2], [3, 4]], { requiresGrad: true });
x.matmul(x).sum().backward();
console.log(JSON.stringify({ grad: x.grad.toArray(), nn: typeof dt.nn.functional.relu, optim: typeof dt.optim, io: typeof dt.io, data: typeof dt.data }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  // d/dX sum(X X) = 1 X^T + X^T 1: [[3+4, 3+7]...] computed by hand: G = ones @ X^T + X^T @ ones
  assert.deepEqual(r.grad, [[7, 11], [9, 13]]);
  assert.equal(r.nn, "function");
  assert.equal(r.optim, "object");
});

test('"deeptype/package.json" is exported; the package ships its LICENSE', () => {
  const code = `import { createRequire } from "node:module";
const pkg = createRequire(import.meta.url)("deeptype/package.json");
console.log(JSON.stringify({ name: pkg.name, files: pkg.files, license: pkg.license }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(r.name, "deeptype");
  assert.equal(r.license, "MIT");
  assert.ok(r.files.includes("LICENSE"));
  assert.ok(existsSync(join(root, "LICENSE")));
});
