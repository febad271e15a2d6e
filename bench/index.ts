// `npm run bench`: deeptype's workloads beside jax-js, TF.js (wasm and cpu) and, when the system
// Python has torch, PyTorch and numpy (bench/torch_bench.py, run as a subprocess). Every peer
// builds its inputs from the same deterministic data and its check value (a loss or a checksum of
// the output) is compared with deeptype's, so a figure is only shown beside a matching result.
//
//   npm run bench                      all workloads, all peers
//   npm run bench -- --quick           a short smoke run (deeptype alone unless --peers names others)
//   npm run bench -- --only mlp,gpt    some workloads
//   npm run bench -- --peers deeptype,torch   some peers
//   npm run bench -- --threads 2       deeptype's thread count (default: dt.getNumThreads())
//   npm run bench -- --loop sync       every JavaScript peer in a loop that never yields to the event loop
//   npm run bench -- --loop await      every peer in a loop that awaits a turn of the event loop each step
//   (default --loop both: the peers await; deeptype is measured both ways, the "deeptype sync" column
//   beside "deeptype", with the ratio sync / await)
//
// Each JavaScript peer runs each workload in a process of its own (this script with --child NAME
// --only WORKLOAD), so no peer's or workload's heap, garbage collections or background threads weigh
// on another's figures; Python runs apart too.

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as dt from "../src/index.js";
import { WORKLOADS, type Peer, type Prepared, type WorkloadInfo } from "./common.js";
import { deeptype } from "./deeptype.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    peers: { type: "string" },
    threads: { type: "string" },
    json: { type: "boolean", default: false },
    child: { type: "string" },
    loop: { type: "string", default: "both" },
  },
});
const loop = opts.loop!;
if (!["sync", "await", "both"].includes(loop)) throw new Error(`bench: --loop must be sync, await or both, not '${loop}'`);
const quick = opts.quick!;
const threads = opts.threads ? Number(opts.threads) : dt.getNumThreads();
dt.setNumThreads(threads);
const only = opts.only ? opts.only.split(",") : null;
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.name));
// --quick is a smoke run of deeptype alone unless peers are named
const peerNames = opts.peers ? opts.peers.split(",") : quick ? ["deeptype"] : ["deeptype", "jax-js", "tfjs-wasm", "tfjs-cpu", "torch", "numpy"];

interface Result {
  value: number | null;
  check: number | null;
  note?: string;
}

/** Median seconds per step after warm-up (3 steps and 2 s), timing until minSeconds have passed
 *  (at least 3 steps; 2, with no warm-up, for a peer slower than half a second a step). With `sync`,
 *  warm-up and timed steps run in a plain loop that never yields to the event loop (a step that
 *  returns a promise is awaited, which yields only if the peer itself does). */
async function time(p: Prepared, sync: boolean): Promise<number> {
  const minSeconds = quick ? 0.3 : 2, maxSteps = quick ? 5 : 200;
  const turn = () => new Promise((r) => setImmediate(r));
  const step = sync ? () => p.step() : async () => {
    await p.step();
    // a turn of the event loop inside the timed step, as a training loop that awaits its data has:
    // work a framework defers to it (deeptype's garbage collection requests) is counted
    await turn();
  };
  const t0 = performance.now();
  await p.step();
  const slow = performance.now() - t0 > 500;
  // warm-up: at least 3 steps and 2 s, so JIT tiers, allocators and collectors reach their steady state (deeptype's
  // tensor heap stops growing into memory never touched before, whose first touch costs page faults, after 2-3
  // collection cycles: about 100 steps of the 1024 matmul)
  const warm = slow ? 0 : quick ? 1 : 3, minSteps = slow ? 2 : 3;
  const warmUntil = performance.now() + (slow || quick ? 0 : 2000);
  for (let i = 0; i < warm || performance.now() < warmUntil; i++) {
    const r = step();
    if (r) await r;
  }
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < minSteps || (performance.now() - start < minSeconds * 1000 && ts.length < maxSteps)) {
    const t0 = performance.now();
    const r = step();
    if (r) await r;
    ts.push((performance.now() - t0) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

async function runPeer(name: string, peer: Peer, w: WorkloadInfo, sync: boolean): Promise<Result> {
  const make = peer[w.name];
  if (!make) return { value: null, check: null, note: "n/a" };
  try {
    const p = await make();
    const s = await time(p, sync);
    p.dispose?.();
    return { value: w.perStep / s, check: p.check };
  } catch (e) {
    return { value: null, check: null, note: `fails: ${(e as Error).message.split("\n")[0].slice(0, 60)}` };
  }
}

async function loadPeers(names: string[]): Promise<Record<string, Peer>> {
  const peers: Record<string, Peer> = {};
  if (names.includes("deeptype")) peers.deeptype = deeptype;
  if (names.includes("jax-js")) {
    try {
      peers["jax-js"] = (await import("./jaxjs.js")).jaxjs();
      await (await import("./jaxjs.js")).initJax();
    } catch (e) {
      console.error(`jax-js unavailable: ${(e as Error).message}`);
    }
  }
  for (const kind of ["wasm", "cpu"] as const)
    if (names.includes(`tfjs-${kind}`)) {
      try {
        const m = await import("./tfjs.js");
        peers[`tfjs-${kind}`] = m.tfjs(kind);
      } catch (e) {
        console.error(`tfjs-${kind} unavailable: ${(e as Error).message}`);
      }
    }
  return peers;
}

/** PyTorch and numpy figures from the system python (Debian's python3-torch), if it has torch. */
function runPython(): Record<string, Record<string, Result>> | null {
  if (!peerNames.includes("torch") && !peerNames.includes("numpy")) return null;
  const py = "/usr/bin/python3";
  const probe = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return null;
  const script = join(dirname(fileURLToPath(import.meta.url)), "torch_bench.py");
  const args = [script, "--threads", String(threads), "--only", workloads.map((w) => w.name).join(",")];
  if (quick) args.push("--quick");
  const r = spawnSync(py, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`torch_bench.py failed: ${r.stderr.slice(-500)}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function fmtValue(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

if (opts.child) {
  // a child: one JavaScript peer over the selected workloads; the results go back as one JSON line
  const one = await loadPeers([opts.child.replace(/-sync$/, "")]);
  const out: Record<string, Result> = {};
  const base = opts.child.replace(/-sync$/, "");
  const peer = one[base];
  // "<peer>-sync" (deeptype's extra column) or --loop sync: a loop that never yields
  const sync = opts.child.endsWith("-sync") || loop === "sync";
  for (const w of workloads) {
    process.stderr.write(`${w.name} / ${base} (${sync ? "sync" : "await"} loop) ...\n`);
    out[w.name] = peer ? await runPeer(base, peer, w, sync) : { value: null, check: null, note: "unavailable" };
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

/** Runs one JavaScript peer on some workloads in a child process (this script with --child). */
function runChild(name: string, names: string[]): Record<string, Result> | null {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), "--child", name, "--threads", String(threads), "--only", names.join(","), "--loop", loop];
  if (quick) args.push("--quick");
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "inherit"] });
  const last = r.stdout?.trim().split("\n").pop();
  if (r.status !== 0 || !last) {
    console.error(`${name}: the bench process failed (status ${r.status})`);
    return null;
  }
  return JSON.parse(last);
}

const jsPeers = ["deeptype", ...(loop === "both" && peerNames.includes("deeptype") ? ["deeptype-sync"] : []), "jax-js", "tfjs-wasm", "tfjs-cpu"].filter(
  (p) => peerNames.includes(p) || p === "deeptype-sync",
);
const peers: Record<string, true> = {};
const results: Record<string, Record<string, Result>> = {};
for (const w of workloads) results[w.name] = {};
// one process per peer and workload: no workload inherits another's heap or collector state
for (const name of jsPeers)
  for (const w of workloads) {
    const r = runChild(name, [w.name]);
    if (!r || r[w.name]?.note === "unavailable") continue;
    peers[name] = true;
    results[w.name][name] = r[w.name];
  }
const py = runPython();
if (py) for (const w of workloads) Object.assign(results[w.name], py[w.name] ?? {});

const cols = ["deeptype", ...(jsPeers.includes("deeptype-sync") ? ["deeptype-sync"] : []), ...["jax-js", "tfjs-wasm", "tfjs-cpu", "torch", "numpy"].filter((p) => peerNames.includes(p) && (p in peers || (py && Object.values(py).some((r) => p in r))))];
const colName = (c: string) => (c === "deeptype" ? (loop === "sync" ? "deeptype (sync loop)" : "deeptype") : c === "deeptype-sync" ? "deeptype sync loop (x dt)" : `${c} (x dt)`);
const rows: string[][] = [["workload", "unit", "bar", ...cols.map(colName), "checks"]];
for (const w of workloads) {
  const r = results[w.name];
  const base = r.deeptype;
  const cells = cols.map((c) => {
    const x = r[c];
    if (!x || x.value === null) return x?.note ?? "n/a";
    if (c === "deeptype" || !base || base.value === null) return fmtValue(x.value);
    return `${fmtValue(x.value)} (${(x.value / base.value).toFixed(2)})`;
  });
  const bad: string[] = [];
  if (base?.check !== null && base?.check !== undefined)
    for (const c of cols) {
      const x = r[c];
      if (c === "deeptype" || !x || x.check === null || x.check === undefined) continue;
      const tol = 2e-3 * Math.max(1, Math.abs(base.check));
      if (!(Math.abs(x.check - base.check) <= tol)) bad.push(`${c} ${x.check.toPrecision(6)}≠${base.check.toPrecision(6)}`);
    }
  rows.push([w.name, w.unit, String(w.bar), ...cells, bad.length ? `MISMATCH ${bad.join("; ")}` : "ok"]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
const loopText = loop === "both" ? "peers in a loop awaiting each step; deeptype both ways" : loop === "sync" ? "every peer in a loop that never yields" : "every peer in a loop awaiting each step";
console.log(`\ndeeptype bench (${quick ? "quick, " : ""}float32, deeptype backend ${dt.getBackend()} with ${threads} thread(s), ${loopText}, ${new Date().toISOString()})`);
console.log(line(rows[0]));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows.slice(1)) console.log(line(r));
console.log("Higher is better; (x dt) is the peer's figure divided by deeptype's. checks: each peer's loss/checksum against deeptype's.");
if (quick) console.log("--quick: one warm-up step and 0.3 s of timing, so allocators and collectors are not yet in their steady state; the figures are a smoke test, not a measurement.");
if (opts.json) console.log(JSON.stringify(results));
