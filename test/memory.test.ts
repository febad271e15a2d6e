// Short form of scripts/memory.ts: a training loop with no cleanup calls runs in flat memory.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("3000 MLP training steps grow resident memory by less than 50 MB", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/memory.ts"), "--steps", "3000"], { cwd: root, encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(r.steps, 3000);
  assert.ok(r.loss < 0.5, `the loop must actually train (loss ${r.loss})`);
  assert.ok(r.growthMB < 50, `RSS grew by ${r.growthMB} MB (start ${r.rssStartMB}, end ${r.rssEndMB})`);
});
