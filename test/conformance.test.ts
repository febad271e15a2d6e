// Backend conformance: every kernel of the Backend interface, and the ops built on them, run on
// every registered backend and compared with the reference backend ("js"), at sizes that are not
// multiples of any tile (1, 7, 33, 1000; matmul 1x1 ... 100x1100x90) and on non-contiguous inputs
// (transposed, sliced with a step, expanded with stride 0). As candle/burn's backend suites.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as dt from "../src/index.js";
import type { Backend, Tensor, View } from "../src/index.js";
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, B as currentBackend } from "../src/backend/backend.js";
import { jsBackend } from "../src/backend/js/index.js";

type Arr = ArrayLike<number>;

/** Elementwise closeness: exact for ints/bools, rtol/atol for floats; NaN matches NaN, inf matches inf. */
function assertClose(got: Arr, want: Arr, what: string, rtol = 1e-4, atol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} ≠ ${want.length}`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `${what}[${i}]: got ${g}, want NaN`);
      continue;
    }
    if (!Number.isFinite(w)) {
      assert.equal(g, w, `${what}[${i}]`);
      continue;
    }
    const tol = atol + rtol * Math.max(Math.abs(w), 1e-3 * scale);
    if (!(Math.abs(g - w) <= tol)) assert.fail(`${what}[${i}]: got ${g}, want ${w} (|diff| ${Math.abs(g - w)} > ${tol})`);
  }
}

// ---- views of several layouts ----------------------------------------------------------------

/** Input layouts for a logical shape: contiguous, transposed storage, sliced with step 2, expanded. */
function layouts(shape: number[], make: (shape: number[]) => Tensor): [string, Tensor][] {
  const out: [string, Tensor][] = [["contiguous", make(shape)]];
  if (shape.length >= 2) {
    const r = shape.length;
    const sw = [...shape];
    [sw[r - 1], sw[r - 2]] = [sw[r - 2], sw[r - 1]];
    out.push(["transposed", make(sw).transpose(-1, -2)]);
  }
  if (shape.length >= 1) {
    const big = [...shape];
    big[big.length - 1] = 2 * big[big.length - 1] + 1;
    out.push(["sliced", make(big).slice(-1, 1, big[big.length - 1], 2)]);
    const one = [...shape];
    one[0] = 1;
    out.push(["expanded", make(one).expand(shape)]);
  }
  return out;
}

/** 4-d input layouts: contiguous, the last two dims transposed in storage, sliced with step 2 along W. */
function layouts4(shape: number[], make: (shape: number[]) => Tensor): [string, Tensor][] {
  const [a, b, c, d] = shape;
  return [
    ["contiguous", make(shape)],
    ["transposed", make([a, b, d, c]).transpose(-1, -2)],
    ["sliced", make([a, b, c, 2 * d + 1]).slice(-1, 1, 2 * d + 1, 2)],
  ];
}

const SIZES = [[1], [7], [33], [1000], [7, 33], [3, 5, 9]];
/** Past the size at which a backend leaves JS for its kernels (and, the last, for its threads). */
const LARGE = [[8193], [16384], [65, 130], [3, 47, 61]];
const THREADED = [640, 600];

function maker(dtype: dt.DType, kind: "normal" | "positive" | "special" | "int" | "bool"): (s: number[]) => Tensor {
  return (s) => {
    if (kind === "bool") return dt.rand(s).gt(0.5);
    if (kind === "int") return dt.randint(-5, 6, s);
    let x = dt.randn(s, { dtype });
    if (kind === "positive") x = x.abs().add(0.1);
    if (kind === "special") {
      // sprinkle NaN, ±inf, zeros and halves among the values
      const d = x.dataSync();
      const sp = [NaN, Infinity, -Infinity, 0, -0, 0.5, -2.5, 1e30, -1e-30];
      for (let i = 0; i < d.length; i += 3) d[i] = sp[(i / 3) % sp.length];
      x = dt.tensor(d, { shape: s, dtype });
    }
    return x;
  };
}

/** The same kernel on the reference and on `be`, compared. */
function check(be: Backend, what: string, run: (b: Backend) => ArrayLike<number>, rtol?: number): void {
  const want = run(jsBackend);
  const got = run(be);
  assertClose(got, want, what, rtol);
}

const UNARY_PARAMS: Partial<Record<string, [number, number]>> = {
  clamp: [-0.5, 0.7], leakyRelu: [0.01, 0], elu: [1.3, 0], softplus: [1.5, 20],
};
// inputs outside these ops' domain are still compared (NaN against NaN)
const FLOAT_TYPES: dt.DType[] = ["float32", "float64"];

const others = dt.listBackends().filter((n) => n !== "js");
const kernelsTested = new Set<string>();

describe("backend conformance", () => {
  it("has a backend other than the reference registered (else this suite only checks js against itself)", () => {
    assert.ok(dt.listBackends().includes("js"));
  });

  for (const name of dt.listBackends()) {
    describe(`backend ${name}`, () => {
      const be = (): Backend => {
        const prev = dt.getBackend();
        dt.setBackend(name);
        const b = currentBackend();
        dt.setBackend(prev);
        return b;
      };

      it("unary: every op, float32/float64, sizes 1..1000, all layouts, special values", () => {
        kernelsTested.add("unary");
        dt.manualSeed(1);
        for (const dtype of FLOAT_TYPES)
          for (const kind of ["normal", "special"] as const)
            for (const s of SIZES)
              for (const [lay, x] of layouts(s, maker(dtype, kind)))
                for (const op of UNARY_OPS) {
                  const [p0, p1] = UNARY_PARAMS[op] ?? [0, 0];
                  const outDtype = op === "logicalNot" || op === "isnan" || op === "isfinite" ? "bool" : dtype;
                  check(be(), `unary ${op} ${dtype} ${kind} [${s}] ${lay}`, (b) => b.unary(op, x, outDtype, p0, p1), dtype === "float32" ? 2e-5 : 1e-12);
                }
        if (name !== "js")
        for (const s of [...LARGE, THREADED])
          for (const [lay, x] of layouts(s, maker("float32", "special")).slice(0, s === THREADED ? 2 : 4))
            for (const op of UNARY_OPS) {
              const [p0, p1] = UNARY_PARAMS[op] ?? [0, 0];
              const outDtype = op === "logicalNot" || op === "isnan" || op === "isfinite" ? "bool" : "float32";
              check(be(), `unary ${op} float32 [${s}] ${lay}`, (b) => b.unary(op, x, outDtype, p0, p1), 2e-5);
            }
        for (const [lay, x] of layouts([7, 33], maker("int32", "int")))
          for (const op of ["copy", "neg", "abs", "sign", "square", "relu"] as const)
            check(be(), `unary ${op} int32 ${lay}`, (b) => b.unary(op, x, "int32"));
      });

      it("binary: every op, broadcast and strided operands, float and int", () => {
        kernelsTested.add("binary");
        dt.manualSeed(2);
        for (const dtype of FLOAT_TYPES)
          for (const s of SIZES)
            for (const [la, a] of layouts(s, maker(dtype, "special")))
              for (const [lb, b] of layouts(s, maker(dtype, "normal")))
                for (const op of BINARY_OPS) {
                  const cmp = ["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr"].includes(op);
                  check(be(), `binary ${op} ${dtype} [${s}] ${la}/${lb}`, (k) => k.binary(op, a, b, cmp ? "bool" : dtype), dtype === "float32" ? 2e-5 : 1e-12);
                }
        if (name !== "js")
        for (const s of [...LARGE, THREADED])
          for (const [la, a] of layouts(s, maker("float32", "special")).slice(0, s === THREADED ? 2 : 4))
            for (const [lb, b] of layouts(s, maker("float32", "normal")).slice(0, s === THREADED ? 2 : 4))
              for (const op of ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "reluBackward"] as const)
                check(be(), `binary ${op} float32 [${s}] ${la}/${lb}`, (k) => k.binary(op, a, b, "float32"), 2e-5);
        // the fused activation kernels on plain values (special values above make the tolerance loose)
        if (name !== "js")
          for (const s of [[7], [1000], ...LARGE, THREADED])
            for (const [la, a] of layouts(s, maker("float32", "normal")).slice(0, 2))
              for (const [lb, b] of layouts(s, maker("float32", "normal")).slice(0, 2)) {
                for (const op of ["reluBackward", "geluBackward", "geluTanhBackward"] as const)
                  check(be(), `binary ${op} float32 normal [${s}] ${la}/${lb}`, (k) => k.binary(op, a, b, "float32"), 2e-5);
                for (const op of ["gelu", "geluTanh", "tanh", "sigmoid"] as const)
                  check(be(), `unary ${op} float32 normal [${s}] ${lb}`, (k) => k.unary(op, b, "float32"), 2e-5);
              }
        // row and column broadcasting, as bias adds and their gradients make
        const m = dt.randn([300, 257]), row = dt.randn([1, 257]).expand([300, 257]), col = dt.randn([300, 1]).expand([300, 257]);
        for (const op of BINARY_OPS) {
          const cmp = ["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr"].includes(op);
          check(be(), `binary ${op} row broadcast`, (k) => k.binary(op, m, row, cmp ? "bool" : "float32"), 2e-5);
          check(be(), `binary ${op} column broadcast`, (k) => k.binary(op, col, m, cmp ? "bool" : "float32"), 2e-5);
        }
        const cube = dt.tensor(3).expand([300, 257]), two = dt.tensor(2).expand([300, 257]);
        check(be(), "binary pow x^3", (k) => k.binary("pow", m, cube, "float32"), 2e-5);
        check(be(), "binary pow x^2", (k) => k.binary("pow", m, two, "float32"), 2e-5);
        // scalar broadcast (all strides 0) on either side
        const x = dt.randn([33, 7]);
        const sc = dt.tensor(1.5).expand([33, 7]);
        for (const op of BINARY_OPS) {
          check(be(), `binary ${op} tensor/scalar`, (k) => k.binary(op, x, sc, "float32"));
          check(be(), `binary ${op} scalar/tensor`, (k) => k.binary(op, sc, x, "float32"));
        }
        const i = dt.randint(-5, 6, [7, 33]), j = dt.randint(1, 6, [7, 33]);
        for (const op of ["add", "sub", "mul", "maximum", "minimum"] as const) check(be(), `binary ${op} int32`, (k) => k.binary(op, i, j, "int32"));
      });

      it("where: strided and broadcast condition and operands", () => {
        kernelsTested.add("where");
        dt.manualSeed(3);
        for (const s of SIZES)
          for (const [lc, c] of layouts(s, maker("float32", "bool")))
            for (const [la, a] of layouts(s, maker("float32", "normal")))
              check(be(), `where [${s}] ${lc}/${la}`, (k) => k.where(c, a, dt.randn(s).mul(0).add(2), "float32"));
        if (name !== "js")
          for (const s of LARGE)
            for (const [lc, c] of layouts(s, maker("float32", "bool")))
              for (const [la, a] of layouts(s, maker("float32", "special"))) {
                const b = dt.randn(s);
                check(be(), `where [${s}] ${lc}/${la}`, (k) => k.where(c, a, b, "float32"));
                check(be(), `where [${s}] ${lc}/${la} scalar other`, (k) => k.where(c, dt.tensor(-1e30).expand(s), a, "float32"));
              }
      });

      it("reduce: every op over every axis set, strided inputs", () => {
        kernelsTested.add("reduce");
        dt.manualSeed(4);
        const shapes = [[1], [7], [1000], [7, 33], [3, 5, 9], [33, 65]];
        for (const dtype of FLOAT_TYPES)
          for (const s of shapes)
            for (const [lay, x] of layouts(s, maker(dtype, "normal"))) {
              const axesSets: number[][] = s.map((_, d) => [d]);
              if (s.length > 1) axesSets.push(s.map((_, d) => d), [0, s.length - 1]);
              for (const op of REDUCE_OPS)
                for (const axes of axesSets) {
                  if ((op === "argmax" || op === "argmin") && axes.length !== 1) continue;
                  const outDtype = op === "argmax" || op === "argmin" ? "int32" : op === "any" || op === "all" ? "bool" : dtype;
                  check(be(), `reduce ${op} ${dtype} [${s}] axes ${axes} ${lay}`, (k) => k.reduce(op, x, axes, outDtype), dtype === "float32" ? 1e-4 : 1e-10);
                }
            }
        if (name !== "js")
          for (const s of [...LARGE, [16, 4, 128, 33]])
            for (const [lay, x] of layouts(s, maker("float32", "normal"))) {
              const axesSets: number[][] = s.map((_, d) => [d]);
              if (s.length > 1) axesSets.push(s.map((_, d) => d), [0, s.length - 1], s.slice(1).map((_, d) => d + 1), s.slice(1).map((_, d) => d));
              for (const op of ["sum", "max", "min"] as const)
                for (const axes of axesSets) check(be(), `reduce ${op} float32 [${s}] axes ${axes} ${lay}`, (k) => k.reduce(op, x, axes, "float32"), 1e-4);
            }
        const big = maker("float32", "special")([65, 130]);
        for (const op of ["sum", "max", "min"] as const)
          for (const axes of [[0], [1], [0, 1]]) check(be(), `reduce ${op} special [65,130] axes ${axes}`, (k) => k.reduce(op, big, axes, "float32"));
        const sp = maker("float32", "special")([7, 33]);
        for (const op of REDUCE_OPS) check(be(), `reduce ${op} special`, (k) => k.reduce(op, sp, [1], op.startsWith("arg") ? "int32" : "float32"));
      });

      it("matmul: tile-unaligned sizes, transposed operands, batched with broadcast batch dims", () => {
        kernelsTested.add("matmul");
        dt.manualSeed(5);
        const cases: [number[], number[]][] = [
          [[1, 1], [1, 1]], [[7, 33], [33, 5]], [[65, 130], [130, 97]], [[1, 257], [257, 1]], [[300, 7], [7, 300]],
          [[2, 3, 7, 33], [2, 3, 33, 5]], [[13, 9, 17], [17, 6]], [[4, 1, 7, 33], [3, 33, 5]], [[1, 600], [600, 9]],
          [[129, 64], [64, 127]], [[6, 40, 20], [6, 20, 40]],
          // threaded: a tall product (threads take rows), a wide one (columns), and K over two GEMM panel depths
          [[1000, 70], [70, 13]], [[13, 70], [70, 1000]], [[100, 1100], [1100, 90]],
        ];
        for (const dtype of FLOAT_TYPES)
          for (const [sa, sb] of cases)
            for (const [la, a] of layouts(sa, maker(dtype, "normal")))
              for (const [lb, b] of layouts(sb, maker(dtype, "normal"))) {
                if (la === "expanded" && lb === "expanded") continue;
                // ops-level matmul broadcasts batch dims with stride 0 before the kernel
                const prev = dt.getBackend();
                dt.setBackend("js");
                const want = dt.matmul(a, b).dataSync();
                dt.setBackend(name);
                const got = dt.matmul(a, b).dataSync();
                dt.setBackend(prev);
                // float32 sums of K products differ with the summation order by O(K) roundings of O(1) terms
                const K = sa[sa.length - 1];
                assertClose(got, want, `matmul ${dtype} [${sa}]@[${sb}] ${la}/${lb}`, dtype === "float32" ? 1e-4 : 1e-10, dtype === "float32" ? 1e-5 * Math.max(1, K / 256) : 1e-5);
              }
        // the raw kernel with stride-0 batch dims on both sides
        const a = dt.randn([1, 7, 33]).expand([5, 7, 33]), b = dt.randn([5, 33, 9]);
        check(be(), "matmul kernel broadcast batch", (k) => k.matmul(a, b, "float32"));
        const c = dt.randn([5, 1, 33]), d = dt.randn([33, 9]).unsqueeze(0).expand([5, 33, 9]);
        check(be(), "matmul kernel M=1 batch", (k) => k.matmul(c, d, "float32"));
        const nanb = dt.tensor([[Infinity, 1], [NaN, 2]]), zero = dt.tensor([[0, 0], [0, 1]]);
        check(be(), "matmul 0*inf", (k) => k.matmul(zero, nanb, "float32"));
        const i = dt.randint(-3, 4, [7, 9]), j = dt.randint(-3, 4, [9, 5]);
        check(be(), "matmul int32", (k) => k.matmul(i, j, "int32"));
        // with a bias (addmm): row broadcast, full, strided, and batched with the batch folded into rows
        for (const [M, K, N] of [[1, 1, 1], [7, 33, 5], [65, 130, 97], [129, 64, 127], [300, 7, 300], [33, 1000, 1]]) {
          const x = dt.randn([M, K]), w = dt.randn([N, K]);
          const row = dt.randn([N]).expand([M, N]);
          check(be(), `matmul + row bias [${M},${K}]@[${K},${N}]`, (k) => k.matmul(x, w.transpose(0, 1), "float32", row), 1e-4);
          const full = dt.randn([N, M]).transpose(0, 1);
          check(be(), `matmul + strided bias [${M},${K}]@[${K},${N}]`, (k) => k.matmul(x, w.transpose(0, 1), "float32", full), 1e-4);
          const col = dt.randn([M, 1]).expand([M, N]);
          check(be(), `matmul + column bias [${M},${K}]@[${K},${N}]`, (k) => k.matmul(x, w.transpose(0, 1), "float32", col), 1e-4);
        }
        const xb = dt.randn([3, 40, 20]), wb = dt.randn([20, 30]).unsqueeze(0).expand([3, 20, 30]), bb = dt.randn([30]).expand([3, 40, 30]);
        check(be(), "matmul + bias batched", (k) => k.matmul(xb, wb, "float32", bb), 1e-4);
        // linear (addmm) against matmul + add, with gradients, 2-D and 3-D inputs
        for (const shape of [[7, 33], [2, 5, 33], [300, 33]]) {
          const x = dt.randn(shape, { requiresGrad: true }), w = dt.randn([17, 33], { requiresGrad: true }), bias = dt.randn([17], { requiresGrad: true });
          const prev = dt.getBackend();
          dt.setBackend(name);
          const y = dt.nn.functional.linear(x, w, bias);
          y.square().sum().backward();
          const got = [y.dataSync(), x.grad!.dataSync(), w.grad!.dataSync(), bias.grad!.dataSync()];
          x.grad = w.grad = bias.grad = null;
          const y2 = dt.matmul(x, w.transpose(0, 1)).add(bias);
          y2.square().sum().backward();
          const want = [y2.dataSync(), x.grad!.dataSync(), w.grad!.dataSync(), bias.grad!.dataSync()];
          dt.setBackend(prev);
          want.forEach((wv, k) => assertClose(got[k], wv, `linear [${shape}] output ${k}`, 1e-4));
        }
      });

      it("cumsum, gather, scatter, copy: strided inputs", () => {
        for (const k of ["cumsum", "gather", "scatter", "copy"]) kernelsTested.add(k);
        dt.manualSeed(6);
        for (const dtype of FLOAT_TYPES)
          for (const s of [[7], [1000], [7, 33], [3, 5, 9]])
            for (const [lay, x] of layouts(s, maker(dtype, "normal")))
              for (let ax = 0; ax < s.length; ax++) {
                check(be(), `cumsum ${dtype} [${s}] axis ${ax} ${lay}`, (k) => k.cumsum(x, ax, dtype), 1e-4);
                const idxShape = [...s];
                idxShape[ax] = Math.max(1, s[ax] - 2);
                const index = dt.randint(0, s[ax], idxShape);
                check(be(), `gather [${s}] axis ${ax} ${lay}`, (k) => k.gather(x, ax, index));
                const src = dt.randn(idxShape, { dtype });
                for (const mode of ["set", "add"] as const)
                  check(be(), `scatter ${mode} [${s}] axis ${ax} ${lay}`, (k) => k.scatter(x, ax, index, src, mode));
              }
        for (const s of [[1], [33], [7, 33], [3, 5, 9]])
          for (const [lay, x] of layouts(s, maker("float32", "normal"))) {
            const run = (k: Backend): Float32Array => {
              const dst = new Float32Array(x.numel() * 2 + 3);
              const strides = x.shape.map((_, d) => 2 * x.shape.slice(d + 1).reduce((p, q) => p * q, 1));
              const view: View = { storage: dst, shape: x.shape, strides, offset: 3, dtype: "float32" };
              k.copy(x, view);
              return dst;
            };
            check(be(), `copy [${s}] ${lay} into strided`, run);
          }
        for (const s of LARGE)
          for (const [lay, x] of layouts(s, maker("float32", "special"))) {
            const run = (k: Backend): Float32Array => {
              const dst = new Float32Array(x.numel() + 5);
              k.copy(x, { storage: dst, shape: x.shape, strides: x.shape.map((_, d) => x.shape.slice(d + 1).reduce((p, q) => p * q, 1)), offset: 5, dtype: "float32" });
              return dst;
            };
            check(be(), `copy [${s}] ${lay} into contiguous`, run);
          }
      });

      it("layerNorm, layerNormBackward kernels: large row counts, odd widths, strided rows, with and without affine", () => {
        dt.manualSeed(18);
        for (const [M, D] of [[300, 33], [65, 130], [1000, 7], [2048, 256], [1, 5000]])
          for (const affine of [true, false])
            for (const [lay, x] of [...layouts([M, D], maker("float32", "normal")).slice(0, 3), ["rows", dt.randn([M, D + 3]).narrow(1, 1, D)] as [string, Tensor]]) {
              const w = affine ? dt.randn([D]) : null, b = affine ? dt.randn([D]) : null;
              const g = dt.randn([M, D]);
              const fwd = (k: Backend) => k.layerNorm(x, w, b, 1e-5);
              check(be(), `layerNorm [${M},${D}] ${lay} affine ${affine} y`, (k) => fwd(k).y, 1e-4);
              check(be(), `layerNorm [${M},${D}] ${lay} affine ${affine} mean`, (k) => fwd(k).mean, 1e-4);
              check(be(), `layerNorm [${M},${D}] ${lay} affine ${affine} rstd`, (k) => fwd(k).rstd, 1e-4);
              const { mean, rstd } = fwd(jsBackend);
              const mv = dt.tensor(mean, { shape: [M] }), rv = dt.tensor(rstd, { shape: [M] });
              const bwd = (k: Backend) => k.layerNormBackward(g, x, mv, rv, w);
              check(be(), `layerNormBackward [${M},${D}] ${lay} affine ${affine} dx`, (k) => bwd(k).dx, 1e-4);
              check(be(), `layerNormBackward [${M},${D}] ${lay} affine ${affine} dweight`, (k) => bwd(k).dweight, 1e-4);
              check(be(), `layerNormBackward [${M},${D}] ${lay} affine ${affine} dbias`, (k) => bwd(k).dbias, 1e-4);
            }
      });

      it("lstmForward, lstmBackward: hidden sizes 1..64 (multiples of 4 and not), transposed weights, strided input, with and without bias", () => {
        kernelsTested.add("lstmForward");
        kernelsTested.add("lstmBackward");
        dt.manualSeed(21);
        for (const [T, N, I, H, bias, strided] of [[1, 1, 1, 1, true, false], [7, 3, 5, 6, true, true], [5, 33, 7, 8, false, false], [9, 4, 33, 64, true, true], [3, 7, 16, 12, true, false]] as const) {
          const G = 4 * H;
          let x = dt.randn([T * N, I]);
          if (strided) x = dt.randn([T * N, I + 3]).narrow(1, 2, I);
          const wih = dt.randn([G, I]).mul(0.5), whh = dt.randn([G, H]).mul(0.5);
          const b = bias ? dt.randn([G]) : null;
          const bv: View | null = b ? { storage: b.storage, shape: [T * N, G], strides: [0, 1], offset: 0, dtype: "float32" } : null;
          const h0 = dt.randn([N, H]), c0 = dt.randn([N, H]);
          const fwd = (k: Backend) => k.lstmForward(x, wih.T, bv, h0, c0, whh.T);
          const what = `lstm T${T} N${N} I${I} H${H}${bias ? " bias" : ""}${strided ? " strided" : ""}`;
          check(be(), `${what} act`, (k) => fwd(k).act, 1e-4);
          check(be(), `${what} all`, (k) => fwd(k).all, 1e-4);
          const { act, all } = fwd(jsBackend);
          const actV: View = { storage: act, shape: [T, N, G], strides: [N * G, G, 1], offset: 0, dtype: "float32" };
          const allV: View = { storage: all, shape: [2, T, N, H], strides: [T * N * H, N * H, H, 1], offset: 0, dtype: "float32" };
          const g = dt.randn([2, T, N, H]);
          const bwd = (k: Backend) => k.lstmBackward(g, actV, allV, c0, whh);
          check(be(), `${what} dG`, (k) => bwd(k).dG, 1e-4);
          check(be(), `${what} dh0`, (k) => bwd(k).dh0, 1e-4);
          check(be(), `${what} dc0`, (k) => bwd(k).dc0, 1e-4);
        }
      });

      it("adamStep: Adam, AdamW, amsgrad, maximize, sizes around the vector width and the thread split", () => {
        kernelsTested.add("adamStep");
        dt.manualSeed(23);
        for (const n of [1, 7, 4097, 20000, 65537])
          for (const [amsgrad, decay, l2, sign] of [[false, 1, 0, 1], [true, 1, 0.01, 1], [false, 0.999, 0, -1], [true, 0.99, 0, 1]] as const) {
            const src = () => ({ x: dt.randn([n + 3]).storage, g: dt.randn([n + 1]).storage, m: dt.randn([n]).mul(0.1).storage, v: dt.rand([n]).storage, vmax: dt.rand([n]).mul(2).storage });
            const init = src();
            const h = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 0.01, bc2Sqrt: 0.3, decay, l2, sign };
            const run = (k: Backend): Float32Array => {
              // fresh copies (on the tensor heap when large, as optimizer state is) of the same values
              const c = (a: ArrayLike<number>) => dt.tensor(Float32Array.from(a)).storage as Float32Array;
              const x = c(init.x), g = c(init.g), m = c(init.m), v = c(init.v), vmax = c(init.vmax);
              k.adamStep(x, 3, g, 1, m, v, amsgrad ? vmax : null, n, h);
              return Float32Array.from([...x, ...m, ...v, ...vmax]);
            };
            // bit for bit: the reference float32 loop rounds like the wasm kernel
            const want = run(jsBackend), got = run(be());
            let diff = 0;
            for (let i = 0; i < want.length; i++) if (!Object.is(want[i], got[i])) diff++;
            assert.equal(diff, 0, `adamStep n ${n} amsgrad ${amsgrad} decay ${decay} l2 ${l2} sign ${sign}: ${diff} elements differ`);
          }
      });

      it("softmax, softmaxBackward: last dim of strided views, odd sizes, special values", () => {
        kernelsTested.add("softmax");
        kernelsTested.add("softmaxBackward");
        dt.manualSeed(17);
        for (const dtype of FLOAT_TYPES)
          for (const kind of ["normal", "special"] as const)
            for (const s of [...SIZES, ...LARGE, [300, 7], [5, 1000]])
              for (const [lay, x] of layouts(s, maker(dtype, kind)))
                for (const log of [false, true]) {
                  const tol = dtype === "float32" ? 2e-5 : 1e-12;
                  check(be(), `softmax ${dtype} ${kind} [${s}] ${lay} log ${log}`, (k) => k.softmax(x, log, dtype), tol);
                  const y = dt.tensor(jsBackend.softmax(x, log, dtype), { shape: x.shape, dtype });
                  for (const [lg, g] of layouts(s, maker(dtype, "normal")).slice(0, 3))
                    check(be(), `softmaxBackward ${dtype} ${kind} [${s}] ${lay}/${lg} log ${log}`, (k) => k.softmaxBackward(g, y, log, dtype), tol);
                }
      });

      it("addInto: in-place accumulation into contiguous and strided destinations, strided and broadcast sources", () => {
        kernelsTested.add("addInto");
        dt.manualSeed(16);
        for (const dtype of FLOAT_TYPES)
          for (const s of [...SIZES, ...LARGE])
            for (const [lay, x] of layouts(s, maker(dtype, "special"))) {
              const n = x.numel();
              const init = dt.randn([2 * n + 3], { dtype }).dataSync();
              const contiguous = (k: Backend): ArrayLike<number> => {
                const dst = init.slice();
                k.addInto({ storage: dst, shape: x.shape, strides: x.shape.map((_, d) => x.shape.slice(d + 1).reduce((p, q) => p * q, 1)), offset: 3, dtype }, x);
                return dst;
              };
              const strided = (k: Backend): ArrayLike<number> => {
                const dst = init.slice();
                const strides = x.shape.map((_, d) => 2 * x.shape.slice(d + 1).reduce((p, q) => p * q, 1));
                k.addInto({ storage: dst, shape: x.shape, strides, offset: 1, dtype }, x);
                return dst;
              };
              const rows = (k: Backend): ArrayLike<number> => {
                // contiguous rows with a gap between them (a chunk of a wider gradient)
                const dst = init.slice();
                const nd = x.shape.length;
                const strides = x.shape.map((_, d) => (d === nd - 1 ? 1 : 2 * x.shape.slice(d + 1).reduce((p, q) => p * q, 1)));
                k.addInto({ storage: dst, shape: x.shape, strides, offset: 1, dtype }, x);
                return dst;
              };
              const tol = dtype === "float32" ? 2e-5 : 1e-12;
              check(be(), `addInto ${dtype} [${s}] ${lay} into contiguous`, contiguous, tol);
              check(be(), `addInto ${dtype} [${s}] ${lay} into rows`, rows, tol);
              for (const alpha of [-1, 0.5]) {
                const scaled = (k: Backend): ArrayLike<number> => {
                  const dst = init.slice();
                  k.addInto({ storage: dst, shape: x.shape, strides: x.shape.map((_, d) => x.shape.slice(d + 1).reduce((p, q) => p * q, 1)), offset: 2, dtype }, x, alpha);
                  return dst;
                };
                check(be(), `addInto ${dtype} [${s}] ${lay} alpha ${alpha}`, scaled, tol);
              }
              check(be(), `addInto ${dtype} [${s}] ${lay} into strided`, strided, tol);
            }
        // a destination that aliases the source: each element doubles
        const data = dt.randn([5000]).dataSync() as Float32Array;
        const run = (k: Backend): Float32Array => {
          const buf = data.slice();
          const v: View = { storage: buf, shape: [5000], strides: [1], offset: 0, dtype: "float32" };
          k.addInto(v, { ...v });
          return buf;
        };
        check(be(), "addInto aliased", run);
      });

      it("conv2d kernels (forward, input and weight gradients): odd sizes, stride/padding/dilation/groups, strided inputs", () => {
        for (const k of ["conv2d", "conv2dBackwardInput", "conv2dBackwardWeight"]) kernelsTested.add(k);
        dt.manualSeed(11);
        // [x shape, w shape, stride, padding, dilation, groups]
        const cases: [number[], number[], number[], number[], number[], number][] = [
          [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1], [0, 0], [1, 1], 1],
          [[2, 3, 7, 7], [5, 3, 3, 3], [2, 1], [1, 0], [1, 1], 1],
          [[3, 4, 9, 33], [6, 2, 3, 2], [1, 2], [2, 1], [2, 1], 2],
          [[2, 6, 33, 7], [3, 2, 1, 1], [1, 1], [0, 0], [1, 1], 3],
          [[1, 2, 7, 1], [7, 2, 3, 1], [3, 1], [2, 0], [1, 1], 1],
          [[4, 8, 33, 34], [16, 8, 3, 3], [1, 1], [1, 1], [1, 1], 1], // several row chunks, threaded
          [[1, 64, 5, 200], [4, 64, 3, 3], [1, 1], [1, 0], [1, 1], 1], // one output row per chunk
          [[2, 3, 5, 6], [2, 3, 5, 6], [1, 1], [0, 0], [1, 1], 1], // kernel = input
          // the direct kernel (stride 1, dilation 1, one group, Cin*kh*kw <= 64): widths not multiples of 8, Cout not of 6
          [[3, 3, 13, 21], [7, 3, 3, 3], [1, 1], [1, 1], [1, 1], 1],
          [[2, 2, 5, 45], [7, 2, 3, 3], [1, 1], [1, 1], [1, 1], 1],
          [[2, 3, 6, 16], [13, 3, 3, 3], [1, 1], [1, 1], [1, 1], 1],
          [[2, 3, 5, 24], [10, 3, 3, 3], [1, 1], [1, 1], [1, 1], 1], // last block of 4 channels (4-row micro-kernel)
          [[1, 5, 7, 40], [7, 5, 2, 3], [1, 1], [0, 1], [1, 1], 1],
          [[2, 1, 28, 28], [6, 1, 5, 5], [1, 1], [2, 2], [1, 1], 1],
          [[1, 2, 4, 3], [13, 2, 2, 2], [1, 1], [0, 1], [1, 1], 1],
          [[2, 7, 9, 17], [12, 7, 3, 3], [1, 1], [1, 2], [1, 1], 1],
        ];
        const slot = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
        const dtypes: dt.DType[] = name === "js" ? ["float32", "float64"] : ["float32"];
        for (const dtype of dtypes)
          for (const [xs, ws, st, pd, dl, G] of cases) {
            const geom = {
              kernel: [ws[2], ws[3]] as [number, number], stride: st as [number, number], padding: pd as [number, number], dilation: dl as [number, number],
              out: [slot(xs[2], ws[2], st[0], pd[0], dl[0]), slot(xs[3], ws[3], st[1], pd[1], dl[1])] as [number, number],
            };
            const gs = [xs[0], ws[0], geom.out[0], geom.out[1]];
            const mk = maker(dtype, "normal");
            const xl = layouts4(xs, mk), wl = layouts4(ws, mk), gl = layouts4(gs, mk);
            const bias = mk([2 * ws[0]]).slice(0, 0, 2 * ws[0], 2);
            const what = `${dtype} x [${xs}] w [${ws}] stride ${st} pad ${pd} dil ${dl} groups ${G}`;
            for (let i = 0; i < xl.length; i++) {
              const [lx, x] = xl[i], [lw, w] = wl[i % wl.length], [lg, g] = gl[i % gl.length];
              const tol = dtype === "float32" ? 1e-3 : 1e-10;
              check(be(), `conv2d ${what} ${lx}/${lw}`, (k) => k.conv2d(x, w, null, geom, G), tol);
              check(be(), `conv2d+bias ${what} ${lx}/${lw}`, (k) => k.conv2d(x, w, bias, geom, G), tol);
              check(be(), `conv2dBackwardInput ${what} ${lg}/${lw}`, (k) => k.conv2dBackwardInput(g, w, geom, G, xs[2], xs[3]), tol);
              for (const withBias of [true, false])
                check(be(), `conv2dBackwardWeight ${what} ${lg}/${lx} bias ${withBias}`, (k) => {
                  const r = k.conv2dBackwardWeight(g, x, geom, G, withBias);
                  return [...r.dweight, ...r.dbias];
                }, tol);
            }
          }
      });

      it("conv2dBackwardWeight gives the same bits on every run and with 1 or 2 threads (partial sums per unit group, added in order)", () => {
        dt.manualSeed(13);
        const x = dt.randn([16, 8, 20, 20]), g = dt.randn([16, 12, 20, 20]);
        const geom = { kernel: [3, 3] as [number, number], stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], out: [20, 20] as [number, number] };
        const threads = dt.getNumThreads();
        const run = (n: number) => {
          dt.setNumThreads(n);
          const r = be().conv2dBackwardWeight(g, x, geom, 1, true);
          return [...r.dweight, ...r.dbias];
        };
        try {
          const first = run(2);
          for (let i = 0; i < 4; i++) assert.deepEqual(run(2), first, `run ${i + 2} with 2 threads`);
          assert.deepEqual(run(1), first, "1 thread");
        } finally {
          dt.setNumThreads(threads);
        }
      });

      it("pooling kernels (max/avg forward and backward): odd sizes, padding, dilation, ceil and adaptive windows, strided inputs, NaN", () => {
        kernelsTested.add("maxPool2dBackward");
        dt.manualSeed(12);
        const axis = (n: number, k: number, s: number, p: number, d: number) => {
          const out = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
          return { start: Int32Array.from({ length: out }, (_, i) => i * s - p), count: new Int32Array(out).fill(k) };
        };
        const adaptive = (n: number, o: number) => ({
          start: Int32Array.from({ length: o }, (_, i) => Math.floor((i * n) / o)),
          count: Int32Array.from({ length: o }, (_, i) => Math.ceil(((i + 1) * n) / o) - Math.floor((i * n) / o)),
        });
        // [x shape, h windows, w windows, dh, dw]
        const cases: [number[], (H: number) => ReturnType<typeof axis>, (W: number) => ReturnType<typeof axis>, number, number][] = [
          [[1, 1, 1, 1], (H) => axis(H, 1, 1, 0, 1), (W) => axis(W, 1, 1, 0, 1), 1, 1],
          [[2, 3, 7, 33], (H) => axis(H, 3, 2, 1, 1), (W) => axis(W, 3, 2, 1, 1), 1, 1],
          [[3, 2, 9, 7], (H) => axis(H, 2, 1, 0, 2), (W) => axis(W, 3, 2, 1, 2), 2, 2],
          [[2, 2, 7, 7], (H) => ({ ...axis(H + 1, 2, 2, 0, 1) }), (W) => axis(W + 1, 3, 3, 1, 1), 1, 1], // ceil mode: last window overhangs
          [[1, 3, 13, 11], (H) => adaptive(H, 5), (W) => adaptive(W, 4), 1, 1],
          [[8, 16, 40, 40], (H) => axis(H, 2, 2, 0, 1), (W) => axis(W, 2, 2, 0, 1), 1, 1], // threaded
        ];
        for (const [xs, hf, wf, dh, dw] of cases) {
          const h = hf(xs[2]), w = wf(xs[3]);
          const div = new Float64Array(h.start.length * w.start.length);
          for (let i = 0; i < div.length; i++) div[i] = 1 + (i % 5);
          const win = { hStart: h.start, hCount: h.count, dh, wStart: w.start, wCount: w.count, dw, divisor: div };
          const gs = [xs[0], xs[1], h.start.length, w.start.length];
          for (const kind of ["normal", "special"] as const) {
            const xl = layouts4(xs, maker("float32", kind)), gl = layouts4(gs, maker("float32", "normal"));
            for (let i = 0; i < xl.length; i++) {
              const [lx, x] = xl[i], [lg, g] = gl[i % gl.length];
              const what = `[${xs}] ${kind} ${lx}`;
              check(be(), `maxPool2d values ${what}`, (k) => k.maxPool2d(x, win).values);
              check(be(), `maxPool2d indices ${what}`, (k) => k.maxPool2d(x, win).indices);
              const idx = jsBackend.maxPool2d(x, win).indices;
              const iv: View = { storage: idx, shape: gs, strides: [gs[1] * gs[2] * gs[3], gs[2] * gs[3], gs[3], 1], offset: 0, dtype: "int32" };
              check(be(), `maxPool2dBackward ${what} g ${lg}`, (k) => k.maxPool2dBackward(g, iv, xs[2], xs[3]));
              check(be(), `avgPool2d ${what}`, (k) => k.avgPool2d(x, win));
              check(be(), `avgPool2dBackward ${what} g ${lg}`, (k) => k.avgPool2dBackward(g, win, xs[2], xs[3]));
            }
          }
        }
      });

      it("convolution, pooling and normalisation ops (im2col, col2im, pool and norm kernels) with gradients", () => {
        for (const k of ["im2col", "col2im", "maxPool2d", "avgPool2d", "avgPool2dBackward", "layerNorm", "layerNormBackward", "batchNorm", "batchNormBackward"]) kernelsTested.add(k);
        dt.manualSeed(8);
        const F = dt.nn.functional;
        const x = dt.randn([3, 5, 13, 11]), w = dt.randn([7, 5, 3, 3]), bias = dt.randn([7]);
        const ln = dt.randn([11]), lb = dt.randn([11]), rm = dt.zeros([5]), rv = dt.ones([5]), bw = dt.randn([5]), bb = dt.randn([5]);
        const run = (): number[][] => {
          const xs = x.clone().requiresGrad_(), ws = w.clone().requiresGrad_();
          const y = F.conv2d(xs, ws, bias, { padding: 1, stride: [2, 1] });
          const p = F.maxPool2d(xs, 3, { stride: 2, padding: 1 });
          const a = F.avgPool2d(xs, 2);
          const l = F.layerNorm(xs, [11], ln, lb);
          const bn = F.batchNorm(xs, rm.clone(), rv.clone(), bw, bb, { training: true });
          y.square().sum().add(p.sum()).add(a.square().sum()).add(l.mul(l).sum()).add(bn.square().sum()).backward();
          return [y, p, a, l, bn, xs.grad!, ws.grad!].map((t) => Array.from(t.dataSync()));
        };
        const prev = dt.getBackend();
        dt.setBackend("js");
        const want = run();
        dt.setBackend(name);
        const got = run();
        dt.setBackend(prev);
        want.forEach((wv, i) => assertClose(got[i], wv, `conv/pool/norm output ${i}`, 1e-4));
      });

      it("ops built on the kernels: softmax, logSoftmax, logsumexp, var, norm, linear + crossEntropy with gradients", () => {
        dt.manualSeed(7);
        const x = dt.randn([33, 65]), w = dt.randn([10, 65]), bias = dt.randn([10]);
        const target = dt.randint(0, 10, [33]);
        const run = (): number[][] => {
          const xs = x.clone().requiresGrad_(), ws = w.clone().requiresGrad_(), bs = bias.clone().requiresGrad_();
          const F = dt.nn.functional;
          const logits = F.linear(xs, ws, bs);
          const loss = F.crossEntropy(logits, target);
          loss.backward();
          return [
            [loss.item()], Array.from(xs.grad!.dataSync()), Array.from(ws.grad!.dataSync()), Array.from(bs.grad!.dataSync()),
            Array.from(F.softmax(x, 1).dataSync()), Array.from(F.logSoftmax(x.T, 0).dataSync()),
            Array.from(dt.logsumexp(x, 1).dataSync()), Array.from(x.var(0).dataSync()), Array.from(x.norm(2, 1).dataSync()),
            Array.from(dt.matmul(x.T.unsqueeze(0).expand([3, 65, 33]), x).dataSync()),
          ];
        };
        const prev = dt.getBackend();
        dt.setBackend("js");
        const want = run();
        dt.setBackend(name);
        const got = run();
        dt.setBackend(prev);
        want.forEach((wv, i) => assertClose(got[i], wv, `ops output ${i}`, 1e-4));
      });
    });
  }

  it("every kernel of the interface is covered (kernels added later are listed here until tested)", (t) => {
    const kernels = Object.keys(jsBackend).filter((k) => typeof (jsBackend as unknown as Record<string, unknown>)[k] === "function");
    const untested = kernels.filter((k) => !kernelsTested.has(k));
    if (untested.length) t.diagnostic(`kernels not yet in this suite: ${untested.join(", ")}`);
    for (const k of ["unary", "binary", "where", "reduce", "matmul", "cumsum", "gather", "scatter", "copy"]) assert.ok(kernelsTested.has(k), k);
    for (const n of others) {
      const prev = dt.getBackend();
      dt.setBackend(n);
      const b = currentBackend() as unknown as Record<string, unknown>;
      dt.setBackend(prev);
      for (const k of kernels) assert.equal(typeof b[k], "function", `backend ${n} lacks kernel ${k}`);
    }
  });
});
