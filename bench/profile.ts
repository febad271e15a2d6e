// Runs one workload of the bench for a while under a profiler: `node --cpu-prof --import tsx bench/profile.ts lstm`,
// then `node bench/profile-summary.mjs <file.cpuprofile>` prints where the time went.
import * as dt from "../src/index.js";
import { deeptype } from "./deeptype.js";

const name = process.argv[2] ?? "lstm";
const steps = Number(process.argv[3] ?? 5);
if (process.argv[4]) dt.setBackend(process.argv[4]);
const p = await deeptype[name]!();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await p.step();
console.log(`${name}: ${((performance.now() - t0) / steps).toFixed(1)} ms/step on ${dt.getBackend()}`);
