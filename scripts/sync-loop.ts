// A plain synchronous loop against one that awaits a turn of the event loop each step, on the
// bench's deeptype workloads (bench/deeptype.ts), over many steps: the per-step time in windows
// along the run, so a slowdown that sets in late (the tensor heap filling up) shows.
// Usage: npx tsx scripts/sync-loop.ts <conv2d|mlp|gpt|...> [--steps 10000] [--loop sync|await] [--window 500]
// Prints a line per window (median ms a step, RSS) and one JSON line last.

import { parseArgs } from "node:util";
import * as dt from "../src/index.js";
import { deeptype } from "../bench/deeptype.js";
import { heapStats } from "../src/backend/wasm/runtime.js";

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: "string", default: "10000" }, loop: { type: "string", default: "sync" }, window: { type: "string", default: "500" }, threads: { type: "string" } },
});
if (o.threads) dt.setNumThreads(Number(o.threads));
const name = positionals[0] ?? "conv2d";
const steps = Number(o.steps), win = Number(o.window), sync = o.loop === "sync";
const make = deeptype[name];
if (!make) throw new Error(`sync-loop: unknown workload '${name}'`);
const p = await make();
const mb = () => process.memoryUsage().rss / 2 ** 20;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rssStart = mb();
const windows: { step: number; medianMs: number; meanMs: number; cpuMsPerStep: number; rssMB: number }[] = [];
let ts: number[] = [];
const t0 = performance.now();
let cpu0 = process.cpuUsage();
const report = (i: number) => {
  const c = process.cpuUsage(cpu0);
  const w = { step: i + 1, medianMs: +median(ts).toFixed(3), meanMs: +(ts.reduce((a, b) => a + b, 0) / ts.length).toFixed(3), cpuMsPerStep: +((c.user + c.system) / 1000 / ts.length).toFixed(3), rssMB: +mb().toFixed(1) };
  windows.push(w);
  console.log(`${name} ${o.loop} steps ${w.step - ts.length + 1}-${w.step}: median ${w.medianMs} ms, mean ${w.meanMs} ms, CPU ${w.cpuMsPerStep} ms a step (all threads), RSS ${w.rssMB} MB`);
  ts = [];
  cpu0 = process.cpuUsage();
};
if (sync) {
  for (let i = 0; i < steps; i++) {
    const s = performance.now();
    p.step();
    ts.push(performance.now() - s);
    if (ts.length === win) report(i);
  }
} else {
  for (let i = 0; i < steps; i++) {
    const s = performance.now();
    await p.step();
    await new Promise((r) => setImmediate(r));
    ts.push(performance.now() - s);
    if (ts.length === win) report(i);
  }
}
const last = windows[windows.length - 1];
console.log(JSON.stringify({ workload: name, loop: o.loop, steps, seconds: +((performance.now() - t0) / 1000).toFixed(1), lastMedianMs: last?.medianMs, lastMeanMs: last?.meanMs, lastCpuMsPerStep: last?.cpuMsPerStep, rssStartMB: +rssStart.toFixed(1), rssEndMB: +mb().toFixed(1), heap: heapStats() }));
