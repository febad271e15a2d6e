// The published declarations name no `any` outside scripts/check-dts-any.mjs's short allowlist:
// builds them into a temporary folder (tsc -p tsconfig.build.json) and runs the check.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("the .d.ts files have no `any` in public signatures", () => {
  const out = mkdtempSync(join(tmpdir(), "deeptype-dts-"));
  try {
    const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--declarationMap", "false", "--outDir", out], { cwd: root, stdio: "pipe" });
    let report = "";
    try {
      report = execFileSync(process.execPath, [join(root, "scripts/check-dts-any.mjs"), out], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      assert.fail(String((e as { stderr?: string }).stderr ?? e));
    }
    assert.match(report, /no `any`/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
