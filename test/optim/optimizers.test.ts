// Optimisers against PyTorch 1.13 (fixtures from scripts/fixtures/optim.py): the parameter
// trajectory of 10 steps on loss = mean((X Wᵀ + b − Y)²) for every optimiser and option set,
// float64 to 1e-10 (float32 to 1e-5). A third parameter never gets a grad and must stay put.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { optim } = dt;
const fixture = JSON.parse(readFileSync(new URL("../fixtures/optim/optimizers.json", import.meta.url), "utf8"));

interface Case {
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Record<string, unknown>;
  group1?: Record<string, unknown>;
  dtype: "float32" | "float64";
  losses: number[];
  trajectory: { W: number[]; b: number[]; unused: number[] }[];
}

function setup(dtype: "float32" | "float64") {
  const p = fixture.problem;
  const X = dt.tensor(p.X, { dtype });
  const Y = dt.tensor(p.Y, { dtype });
  const W = dt.tensor(p.W0, { dtype, requiresGrad: true });
  const b = dt.tensor(p.b0, { dtype, requiresGrad: true });
  const unused = dt.tensor(p.unused0, { dtype, requiresGrad: true });
  const lossFn = () => X.matmul(W.T).add(b).sub(Y).square().mean();
  return { W, b, unused, lossFn };
}

function make(c: Case, W: Tensor, b: Tensor, unused: Tensor): dt.optim.Optimizer<any> {
  const Cls = (optim as any)[c.optimizer];
  const params = c.group1 ? [{ params: [W] }, { params: [b, unused], ...c.group1 }] : [W, b, unused];
  return new Cls(params, c.options);
}

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= tol * (1 + Math.abs(expected[i])))) assert.fail(`${what}[${i}]: got ${actual[i]}, PyTorch ${expected[i]} (|diff| ${d})`);
  }
}

const label = (c: Case) => `${c.optimizer}(${JSON.stringify(c.options)}${c.group1 ? `, group1 ${JSON.stringify(c.group1)}` : ""}) ${c.dtype}`;

for (const c of fixture.cases as Case[]) {
  test(`${label(c)} matches PyTorch`, () => {
    const { W, b, unused, lossFn } = setup(c.dtype);
    const opt = make(c, W, b, unused);
    const tol = c.dtype === "float64" ? 1e-10 : 2e-5;
    c.trajectory.forEach((want, step) => {
      opt.zeroGrad();
      const loss = lossFn();
      loss.backward();
      close([loss.item()], [c.losses[step]], tol, `loss at step ${step}`);
      opt.step();
      close(W.dataSync(), want.W, tol, `W after step ${step + 1}`);
      close(b.dataSync(), want.b, tol, `b after step ${step + 1}`);
      close(unused.dataSync(), want.unused, 0, `unused after step ${step + 1}`);
    });
    assert.equal(unused.grad, null);
  });
}

test("stateDict round trip: a fresh optimiser loaded mid-run continues identically", () => {
  for (const c of (fixture.cases as Case[]).filter((x) => x.dtype === "float64")) {
    const a = setup("float64");
    const optA = make(c, a.W, a.b, a.unused);
    const trainStep = (s: ReturnType<typeof setup>, opt: dt.optim.Optimizer<any>) => {
      opt.zeroGrad();
      s.lossFn().backward();
      opt.step();
    };
    for (let i = 0; i < 4; i++) trainStep(a, optA);
    const saved = optA.stateDict();
    // a second run, started from the saved parameters and state
    const bRun = setup("float64");
    dt.noGrad(() => {
      bRun.W.copy_(a.W);
      bRun.b.copy_(a.b);
    });
    const optB = make({ ...c, options: { ...c.options, lr: 0.123 } }, bRun.W, bRun.b, bRun.unused);
    optB.loadStateDict(saved);
    for (let i = 4; i < 10; i++) {
      trainStep(a, optA);
      trainStep(bRun, optB);
      assert.deepEqual(Array.from(bRun.W.dataSync()), Array.from(a.W.dataSync()), `${label(c)}: W after step ${i + 1}`);
      assert.deepEqual(Array.from(bRun.b.dataSync()), Array.from(a.b.dataSync()), `${label(c)}: b after step ${i + 1}`);
    }
    close(a.W.dataSync(), c.trajectory[9].W, 1e-10, `${label(c)}: W after 10 steps`);
  }
});

test("stateDict has PyTorch's layout and holds copies", () => {
  const { W, b, unused, lossFn } = setup("float64");
  const opt = new optim.Adam([{ params: [W] }, { params: [b, unused], lr: 0.01 }], { lr: 0.1, amsgrad: true });
  lossFn().backward();
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0], [1, 2]]);
  assert.equal(sd.paramGroups[1].lr, 0.01);
  assert.deepEqual(sd.paramGroups[0].betas, [0.9, 0.999]);
  assert.deepEqual(Object.keys(sd.state).sort(), ["0", "1"]); // no state for the param without grad
  assert.deepEqual(Object.keys(sd.state[0]).sort(), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
  assert.equal(sd.state[0].step, 1);
  const m = sd.state[0].exp_avg as Tensor;
  const before = m.dataSync().slice();
  lossFn().backward();
  opt.step();
  assert.deepEqual(Array.from(m.dataSync()), Array.from(before), "stateDict tensors are copies");
});

test("loadStateDict accepts PyTorch's snake_case keys and casts state to the parameter dtype", () => {
  const w = dt.tensor([1, 2], { requiresGrad: true }); // float32
  const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  opt.loadStateDict({
    state: { 0: { momentum_buffer: dt.tensor([1, 1], { dtype: "float64" }) } },
    param_groups: [{ lr: 0.5, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, params: [0] }],
  });
  assert.equal(opt.paramGroups[0].lr, 0.5);
  assert.equal(opt.paramGroups[0].weightDecay, 0);
  assert.equal((opt.state.get(w)!.momentum_buffer as Tensor).dtype, "float32");
  w.grad = dt.tensor([1, 1]);
  opt.step(); // buf = 0.9·1 + 1 = 1.9; w = w − 0.5·1.9
  assert.deepEqual(Array.from(w.dataSync()).map((x) => +x.toFixed(5)), [0.05, 1.05]);
  assert.throws(() => opt.loadStateDict({ state: {}, paramGroups: [] }), /1 parameter groups|0 parameter groups/);
  assert.throws(() => opt.loadStateDict({ state: {}, paramGroups: [{ params: [0, 1] }] }), /doesn't match the size/);
});

test("parameters are updated in place and stay the same objects", () => {
  const w = dt.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const storage = w.storage;
  const opt = new optim.AdamW([w]);
  w.sum().backward();
  opt.step();
  assert.equal(w.storage, storage);
  assert.equal(opt.paramGroups[0].params[0], w);
  assert.equal(w.requiresGrad, true);
  assert.ok(w.isLeaf);
});

test("non-contiguous grads and parameter views", () => {
  // a grad that is an expanded (stride-0) view, and a parameter that is a transposed leaf
  const base = dt.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
  const p = base.T.detach().requiresGrad_(); // [3, 2], not contiguous
  const opt = new optim.SGD([p], { lr: 0.5 });
  p.grad = dt.tensor([1], { dtype: "float64" }).expand(3, 2);
  opt.step();
  assert.deepEqual(p.toArray(), [[0.5, 3.5], [1.5, 4.5], [2.5, 5.5]]);
});

test("zeroGrad sets grads to null, or to zeros with setToNone: false", () => {
  const w = dt.tensor([1, 2], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.sum().backward();
  const g = w.grad!;
  opt.zeroGrad({ setToNone: false });
  assert.equal(w.grad, g);
  assert.deepEqual(Array.from(w.grad!.dataSync()), [0, 0]);
  opt.zeroGrad();
  assert.equal(w.grad, null);
});

test("step(closure) evaluates the closure with grad on and returns the loss", () => {
  const w = dt.tensor([3], { dtype: "float64", requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = dt.noGrad(() =>
    opt.step(() => {
      opt.zeroGrad();
      const l = w.square().sum(); // d/dw w² = 2w = 6
      l.backward();
      return l;
    }),
  );
  assert.equal((loss as Tensor).item(), 9);
  assert.equal(w.item(), 1.5);
});

test("addParamGroup and per-group defaults", () => {
  const a = dt.tensor([1], { requiresGrad: true });
  const b = dt.tensor([1], { requiresGrad: true });
  const opt = new optim.RMSprop([a], { lr: 0.02, momentum: 0.5 });
  opt.addParamGroup({ params: [b], lr: 0.1 });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[1].lr, 0.1);
  assert.equal(opt.paramGroups[1].momentum, 0.5);
  assert.equal(opt.paramGroups[1].alpha, 0.99);
  assert.throws(() => opt.addParamGroup({ params: [a] }), /more than one parameter group/);
  const ada = new optim.Adagrad([a]);
  ada.addParamGroup({ params: b });
  b.grad = dt.tensor([1]);
  ada.step();
  assert.equal(ada.state.get(b)!.step, 1);
});

test("defaults follow PyTorch", () => {
  const w = () => [dt.tensor([1], { requiresGrad: true })];
  assert.deepEqual({ ...new optim.Adam(w()).defaults }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
  assert.equal(new optim.AdamW(w()).defaults.weightDecay, 0.01);
  assert.deepEqual({ ...new optim.RMSprop(w()).defaults }, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
  assert.deepEqual({ ...new optim.Adagrad(w()).defaults }, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
  assert.deepEqual({ ...new optim.SGD(w(), { lr: 0.1 }).defaults }, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
});

test("clear errors for bad arguments", () => {
  const w = dt.tensor([1], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w], { lr: -1 }), /SGD: Invalid learning rate value: -1/);
  assert.throws(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/);
  assert.throws(() => new optim.Adam([w], { betas: [1, 0.999] }), /Adam: Invalid beta parameter at index 0 value: 1/);
  assert.throws(() => new optim.AdamW([w], { betas: [0.9, -0.1] }), /index 1/);
  assert.throws(() => new optim.Adam([w], { eps: -1 }), /epsilon/);
  assert.throws(() => new optim.RMSprop([w], { alpha: -0.5 }), /alpha/);
  assert.throws(() => new optim.Adagrad([w], { lrDecay: -1 }), /lrDecay/);
  assert.throws(() => new optim.Adam([{ params: [w], lr: -0.1 }]), /learning rate/);
  assert.throws(() => new optim.SGD([]), /empty parameter list/);
  assert.throws(() => new optim.SGD([w, 3 as any]), /can only optimize Tensors, but parameter 1 is number 3/);
  assert.throws(() => new optim.SGD(w as any), /iterable of Tensors/);
  assert.throws(() => new optim.SGD([w, w.mul(2)]), /non-leaf/);
  assert.throws(() => new optim.Adam([w], { weight_decay: 0.1 } as any), /unknown option 'weight_decay' \(did you mean 'weightDecay'\?\)/);
  assert.throws(() => new optim.Adam([{ params: [w], weight_decay: 0.1 }]), /unknown param-group option 'weight_decay' \(did you mean 'weightDecay'\?\)/);
  assert.equal(new optim.Adam([{ params: [w], name: "encoder" }]).paramGroups[0].name, "encoder"); // other extra keys are kept
  // a parameter that does not require grad is accepted (and skipped while its grad is null)
  const frozen = dt.tensor([5]);
  const opt = new optim.SGD([w, frozen], { lr: 1 });
  w.grad = dt.tensor([1]);
  opt.step();
  assert.equal(frozen.item(), 5);
  assert.equal(w.item(), 0);
  // a generator of parameters works like an array
  function* gen() { yield dt.tensor([1], { requiresGrad: true }); }
  assert.equal(new optim.SGD(gen()).paramGroups[0].params.length, 1);
});

test("a custom optimiser subclasses Optimizer (the doc-comment example)", () => {
  class SignSGD extends optim.Optimizer<{ lr: number }> {
    constructor(params: Tensor[], { lr = 0.01 } = {}) {
      super(params, { lr });
    }
    protected update(group: { lr: number }, p: Tensor, grad: Tensor) {
      p.sub_(grad.sign().mul(group.lr));
    }
  }
  const w = dt.tensor([1, -1, 0.5], { dtype: "float64", requiresGrad: true });
  const opt = new SignSGD([w], { lr: 0.25 });
  w.mul(dt.tensor([2, -3, 0], { dtype: "float64" })).sum().backward(); // grad = [2, -3, 0]
  opt.step();
  assert.deepEqual(w.toArray(), [0.75, -0.75, 0.5]);
  assert.equal(opt.stateDict().paramGroups[0].lr, 0.25);
});

test("toString lists each group's options like PyTorch's repr", () => {
  const opt = new optim.SGD([{ params: [dt.zeros([1], { requiresGrad: true })] }, { params: [dt.zeros([1], { requiresGrad: true })], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(
    String(opt),
    ["SGD (", "Parameter Group 0", "    dampening: 0", "    lr: 0.1", "    maximize: false", "    momentum: 0.9", "    nesterov: false", "    weightDecay: 0",
      "Parameter Group 1", "    dampening: 0", "    lr: 0.5", "    maximize: false", "    momentum: 0.9", "    nesterov: false", "    weightDecay: 0", ")"].join("\n"),
  );
});

test("every optimiser is assignable to the plain Optimizer type (compile-time check)", () => {
  const w = [dt.zeros([1], { requiresGrad: true })];
  const all: dt.optim.Optimizer[] = [new optim.SGD(w), new optim.Adam(w), new optim.AdamW(w), new optim.RMSprop(w), new optim.Adagrad(w)];
  for (const o of all) new optim.lrScheduler.StepLR(o, 1);
  assert.equal(all.length, 5);
});
