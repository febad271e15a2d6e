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

function run(args: string[]): { steps: number; loss: number; rssWarmMB: number; rssEndMB: number; heap: { reservedBytes: number; freeBlocks: number; returned: boolean; forcedCollections: number; softCapBytes: number } } {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts/memory.ts"), ...args], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

test("large tensors, a loop that yields to the event loop: heap blocks come back and memory stays flat", () => {
  const r = run(["--steps", "1000", "--large", "--yield"]);
  assert.ok(r.loss < 0.5, `the loop must actually train (loss ${r.loss})`);
  assert.ok(r.heap.returned, "collected tensors must return their heap blocks");
  assert.ok(r.heap.reservedBytes < 512 * 2 ** 20, `heap reserved ${r.heap.reservedBytes} bytes`);
  assert.ok(r.rssEndMB - r.rssWarmMB < 50, `RSS grew by ${(r.rssEndMB - r.rssWarmMB).toFixed(1)} MB after warm-up (warm ${r.rssWarmMB}, end ${r.rssEndMB})`);
});

test("large tensors, a loop that never yields: heap blocks come back all the same and memory stays flat", () => {
  const r = run(["--steps", "1000", "--large"]);
  assert.ok(r.loss < 0.5, `the loop must actually train (loss ${r.loss})`);
  assert.ok(r.heap.returned, "collected tensors must return their heap blocks without a turn of the event loop");
  assert.ok(r.heap.forcedCollections > 0, "the synchronous stretch must have run its own collections");
  assert.ok(r.heap.reservedBytes <= r.heap.softCapBytes + 16 * 2 ** 20, `heap reserved ${r.heap.reservedBytes} bytes, soft cap ${r.heap.softCapBytes}`);
  assert.ok(r.rssEndMB - r.rssWarmMB < 50, `RSS grew by ${(r.rssEndMB - r.rssWarmMB).toFixed(1)} MB after warm-up (warm ${r.rssWarmMB}, end ${r.rssEndMB})`);
});
