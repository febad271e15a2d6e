// A pool of worker threads that run wasm kernels on the shared memory, with dynamic scheduling:
// a job is one kernel whose work is cut into units (ranges of rows, columns or batches); the main
// thread and every awake worker claim units from a shared counter until none are left. The main
// thread never waits for a worker that has not started (on a busy machine a sleeping worker may
// take milliseconds to be scheduled): it then simply does all the units itself.
//
// A worker spins briefly after each job (a wake-up from spinning costs under a microsecond, from
// Atomics.wait tens of microseconds), then sleeps in Atomics.wait. Workers start lazily, on the
// first job that wants more than one thread, are unref'd so they never keep the process alive, and
// join in once they are ready; if they cannot start, everything runs on the main thread.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { getNumThreads } from "../backend.js";
import { runtime } from "./runtime.js";

// control block (Int32 slots); the job's f64 arguments follow at F64 index ARGS
const SEQ = 0, ACTIVE = 1, NEXT = 2, DONE = 3, FN = 4, NARGS = 5, LO = 6, HI = 7, STEP = 8, LIMIT = 9, UNITS = 10;
const SCRATCH_ARG = 11, SCRATCH_STRIDE = 12, ERROR = 13, MAXP = 14, READY = 16; // READY + w: worker w is ready
const MAX_WORKERS = 63;
const ARGS = (READY + MAX_WORKERS + 1) / 2;
const MAX_ARGS = 32;
const BUSY = -1;
/** How long a worker spins for the next job before it sleeps (ms). */
const SPIN_MS = 1;

// The participant loop, run by the main thread and the workers alike (built from this one source
// text on both sides). Claims units until none are left.
const WORK_SOURCE = `(I, F, fns, me, args) => {
  const fn = fns[I[${FN}]], na = I[${NARGS}], lo = I[${LO}], hi = I[${HI}], step = I[${STEP}], limit = I[${LIMIT}], units = I[${UNITS}];
  const sa = I[${SCRATCH_ARG}];
  args.length = na;
  for (let i = 0; i < na; i++) args[i] = F[${ARGS} + i];
  if (sa >= 0) args[sa] += me * I[${SCRATCH_STRIDE}];
  for (;;) {
    const u = Atomics.add(I, ${NEXT}, 1);
    if (u >= units) break;
    args[lo] = u * step;
    args[hi] = Math.min(limit, (u + 1) * step);
    try {
      fn(...args);
    } catch {
      Atomics.store(I, ${ERROR}, 1);
    }
    Atomics.add(I, ${DONE}, 1);
  }
}`;
type Work = (I: Int32Array, F: Float64Array, fns: ((...a: number[]) => void)[], me: number, args: number[]) => void;
const work = new Function(`return ${WORK_SOURCE}`)() as Work;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, index, spinMs, relaxed } = workerData;
if (relaxed) { try { require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd"); } catch {} }
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => inst.exports[e.name]);
const I = new Int32Array(ctrl), F = new Float64Array(ctrl);
const SEQ = ${SEQ}, ACTIVE = ${ACTIVE}, BUSY = ${BUSY};
const work = ${WORK_SOURCE};
Atomics.store(I, ${READY} + index, 1);
const me = index + 1, args = [];
let seen = Atomics.load(I, SEQ);
for (;;) {
  let s = Atomics.load(I, SEQ);
  if (s === seen || s === BUSY) {
    const t0 = performance.now();
    let n = 0;
    while ((s = Atomics.load(I, SEQ)) === seen || s === BUSY) {
      if ((++n & 255) === 0 && performance.now() - t0 > spinMs) {
        if (s !== BUSY) Atomics.wait(I, SEQ, s);
        n = 0;
      }
    }
  }
  seen = s;
  Atomics.add(I, ACTIVE, 1);
  if (Atomics.load(I, SEQ) === s && me < I[${MAXP}]) work(I, F, fns, me, args);
  Atomics.sub(I, ACTIVE, 1);
}
`;

/** One kernel call cut into units: args[lo], args[hi] get [u*step, min(limit, (u+1)*step)) for unit u;
 *  args[scratchArg] (if >= 0) is offset by participant * scratchStride bytes. */
export interface Job {
  fn: string;
  args: number[];
  lo: number;
  hi: number;
  step: number;
  limit: number;
  scratchArg: number;
  scratchStride: number;
}

class Pool {
  private workers: Worker[] = [];
  private ctrl = new SharedArrayBuffer(8 * (ARGS + MAX_ARGS));
  private I = new Int32Array(this.ctrl);
  private F = new Float64Array(this.ctrl);
  private seq = 0;
  private broken = false;
  private fnIndex = new Map<string, number>();
  private fns: ((...a: number[]) => void)[] = [];
  private args: number[] = [];

  constructor() {
    if (runtime) {
      runtime.fnNames.forEach((n, i) => this.fnIndex.set(n, i));
      this.fns = runtime.fnNames.map((n) => runtime!.exports[n] as (...a: number[]) => void);
    }
  }

  /** Threads that may take part in a job (main included): getNumThreads(), or fewer when workers
   *  cannot start. Starts the workers on first use. Per-thread scratch must be sized for this many. */
  threads(): number {
    const want = Math.min(getNumThreads(), MAX_WORKERS + 1);
    if (want <= 1 || !runtime || this.broken) return 1;
    while (this.workers.length < want - 1) if (!this.spawn()) break;
    return Math.min(want, this.workers.length + 1);
  }

  /** Workers that have started and can take units now. */
  ready(): number {
    let r = 0;
    for (let w = 0; w < this.workers.length; w++) if (Atomics.load(this.I, READY + w) === 1) r++;
    return r;
  }

  private spawn(): boolean {
    const index = this.workers.length;
    try {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        // never more spinning threads than cores (the main thread is one of them)
        workerData: { module: runtime!.module, memory: runtime!.memory, ctrl: this.ctrl, index, spinMs: index + 1 < availableParallelism() ? SPIN_MS : 0, relaxed: runtime!.relaxed },
      });
      w.unref();
      w.on("error", () => {
        this.broken = true;
      });
      this.workers.push(w);
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  /** Runs every unit of the job on up to `threads` threads (see threads()) and returns when all are done. */
  run(job: Job, threads: number): void {
    const units = Math.ceil(job.limit / job.step);
    if (threads <= 1 || this.workers.length === 0 || units <= 1) {
      const fn = runtime!.exports[job.fn] as (...a: number[]) => void;
      const a = job.args;
      for (let u = 0; u < units; u++) {
        a[job.lo] = u * job.step;
        a[job.hi] = Math.min(job.limit, (u + 1) * job.step);
        fn(...a);
      }
      return;
    }
    const I = this.I, F = this.F;
    if (job.args.length > MAX_ARGS) throw new Error(`wasm pool: ${job.fn} has ${job.args.length} arguments, at most ${MAX_ARGS}`);
    // no worker may still be reading the previous job when this one is written
    Atomics.store(I, SEQ, BUSY);
    while (Atomics.load(I, ACTIVE) !== 0);
    I[FN] = this.fnIndex.get(job.fn)!;
    I[NARGS] = job.args.length;
    for (let i = 0; i < job.args.length; i++) F[ARGS + i] = job.args[i];
    I[LO] = job.lo;
    I[HI] = job.hi;
    I[STEP] = job.step;
    I[LIMIT] = job.limit;
    I[UNITS] = units;
    I[SCRATCH_ARG] = job.scratchArg;
    I[SCRATCH_STRIDE] = job.scratchStride;
    I[ERROR] = 0;
    I[MAXP] = threads;
    Atomics.store(I, DONE, 0);
    Atomics.store(I, NEXT, 0);
    this.seq = this.seq >= 0x3fffffff ? 1 : this.seq + 1;
    Atomics.store(I, SEQ, this.seq);
    Atomics.notify(I, SEQ);
    work(I, F, this.fns, 0, this.args);
    // every unit is claimed; wait for the ones still running on workers
    let n = 0;
    while (Atomics.load(I, DONE) < units) {
      if (++n > 1 << 22 && this.broken) throw new Error("wasm backend: a worker thread died during a kernel");
    }
    if (I[ERROR] !== 0) throw new Error(`wasm backend: kernel ${job.fn} failed`);
  }
}

export const pool = new Pool();
