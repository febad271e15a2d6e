// Time per backend kernel for one bench workload, and what is left for the framework (autograd,
// views, allocation): `npx tsx bench/kernel-profile.ts lstm [threads] [backend]`.
import * as dt from "../src/index.js";
import { B } from "../src/backend/backend.js";
import { deeptype } from "./deeptype.js";
const name = process.argv[2] ?? "lstm";
if (process.argv[3]) dt.setNumThreads(Number(process.argv[3]));
if (process.argv[4]) dt.setBackend(process.argv[4]);
const be = B() as any;
const stats = new Map<string, [number, number, number]>();
for (const k of Object.keys(be)) {
  const f = be[k];
  if (typeof f !== "function") continue;
  be[k] = function (...args: any[]) {
    const t = performance.now();
    const r = f.apply(this, args);
    const e = performance.now() - t;
    const key = k + (typeof args[0] === "string" ? ":" + args[0] : "");
    const s = stats.get(key) ?? [0, 0, 0];
    s[0]++; s[1] += e;
    const n = args.find((a: any) => a && a.shape)?.shape.reduce((p: number, q: number) => p * q, 1) ?? 0; s[2] += n;
    stats.set(key, s);
    return r;
  };
}
const p = await deeptype[name]!();
stats.clear();
const steps = Number(process.env.STEPS ?? 3);
const t0 = performance.now();
for (let i = 0; i < steps; i++) {
  await p.step();
  await new Promise((r) => setImmediate(r));
}
const total = (performance.now() - t0) / steps;
let kern = 0;
const rows = [...stats.entries()].sort((a, b) => b[1][1] - a[1][1]);
for (const [, s] of rows) kern += s[1] / steps;
console.log(`${name}: ${total.toFixed(1)} ms/step, kernels ${kern.toFixed(1)} ms, other (framework) ${(total - kern).toFixed(1)} ms`);
for (const [k, s] of rows.slice(0, 20)) console.log(`${k.padEnd(22)} calls/step ${(s[0] / steps).toFixed(0).padStart(6)}  ms/step ${(s[1] / steps).toFixed(1).padStart(7)}  avg elems ${(s[2] / s[0]).toFixed(0)}`);
