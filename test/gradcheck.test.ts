// The gradient check over every differentiable op, driven by the op registry (dt.OPS):
// an op registered as differentiable without a sample fails here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as dt from "../src/index.js";
import { gradcheck, type SampleTable } from "./gradcheck/harness.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "gradcheck");
const tables: SampleTable[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith(".samples.ts")).sort()) {
  tables.push((await import(join(dir, f))).samples as SampleTable);
}
const samples: SampleTable = {};
for (const t of tables) for (const [k, v] of Object.entries(t)) samples[k] = [...(samples[k] ?? []), ...v];

test("every differentiable op has gradient-check samples", () => {
  const missing = [...dt.OPS.values()].filter((o) => o.differentiable && !samples[o.name]?.length).map((o) => o.name);
  assert.deepEqual(missing, [], `ops without gradcheck samples: ${missing.join(", ")}`);
  const unknown = Object.keys(samples).filter((k) => !dt.OPS.has(k));
  assert.deepEqual(unknown, [], `samples for ops that are not registered: ${unknown.join(", ")}`);
});

for (const op of [...dt.OPS.values()].filter((o) => o.differentiable)) {
  test(`gradcheck ${op.name}`, () => {
    for (const s of samples[op.name] ?? []) {
      try {
        gradcheck(s);
      } catch (e) {
        throw new Error(`${op.name} (${s.label ?? "default"}): ${(e as Error).message}`);
      }
    }
  });
}
