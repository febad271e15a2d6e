// Summarises a .cpuprofile: self time per function (top 25) and per source file.
import { readFileSync } from "node:fs";
const prof = JSON.parse(readFileSync(process.argv[2], "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dts = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const cf = n.callFrame;
  const key = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dts[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 25));
for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
const files = new Map();
for (const [k, v] of self) { const f = k.split(" ").pop().split(":")[0]; files.set(f, (files.get(f) ?? 0) + v); }
console.log("-- by file");
for (const [k, v] of [...files.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
