// Learning-rate schedulers against PyTorch 1.13 (fixtures from scripts/fixtures/optim.py): the lr
// of two param groups (lr 0.1 and 0.05) after construction and after each of 30 steps, plus the
// cycled momentum (SGD) or beta1 (Adam) for OneCycleLR. ReduceLROnPlateau is fed a fixed metric sequence.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as dt from "../../src/index.js";

const { optim } = dt;
const S = optim.lrScheduler;
const fixture = JSON.parse(readFileSync(new URL("../fixtures/optim/schedulers.json", import.meta.url), "utf8"));

interface Spec {
  kind: string;
  args?: any[];
  options?: Record<string, unknown>;
  optimizer?: "SGD" | "Adam";
  negate?: boolean;
}
interface Case extends Spec {
  lrs: number[][];
  momentums: number[][];
}

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1 / (1 + e),
  pow09: (e) => 0.9 ** e,
  const095: () => 0.95,
  alt: (e) => (e % 3 === 0 ? 1.1 : 0.9),
};

function makeOptimizer(kind: "SGD" | "Adam" = "SGD") {
  const groups = [{ params: [dt.zeros([2], { requiresGrad: true })] }, { params: [dt.zeros([2], { requiresGrad: true })], lr: 0.05 }];
  return kind === "Adam" ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
}

function build(spec: Spec, opt: dt.optim.Optimizer<any>): any {
  const args = spec.args ?? [];
  switch (spec.kind) {
    case "LambdaLR":
      return new S.LambdaLR(opt, Array.isArray(args[0]) ? args[0].map((n: string) => LAMBDAS[n]) : LAMBDAS[args[0]]);
    case "MultiplicativeLR":
      return new S.MultiplicativeLR(opt, Array.isArray(args[0]) ? args[0].map((n: string) => LAMBDAS[n]) : LAMBDAS[args[0]]);
    case "ChainedScheduler":
      return new S.ChainedScheduler(args[0].map((s: Spec) => build(s, opt)));
    case "SequentialLR":
      return new S.SequentialLR(opt, args[0].map((s: Spec) => build(s, opt)), args[1]);
    case "ReduceLROnPlateau":
      return new S.ReduceLROnPlateau(opt, spec.options);
    case "LinearLR":
    case "ConstantLR":
    case "PolynomialLR":
      return new (S as any)[spec.kind](opt, spec.options);
    default:
      return new (S as any)[spec.kind](opt, ...args, spec.options);
  }
}

function close(actual: number[], expected: number[], what: string) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]) <= 1e-12 * (1 + Math.abs(expected[i])))) assert.fail(`${what}, group ${i}: got ${a}, PyTorch ${expected[i]}`);
  });
}

function run(c: Case, from = 0, resume?: (s: any, opt: any) => void) {
  const kind = c.optimizer ?? "SGD";
  const opt = makeOptimizer(kind);
  const s = build(c, opt);
  const momentum = () => opt.paramGroups.map((g: any) => (kind === "Adam" ? g.betas[0] : g.momentum));
  close(opt.paramGroups.map((g) => g.lr), c.lrs[0], `${c.kind}: lr after construction`);
  close(momentum(), c.momentums[0], `${c.kind}: momentum after construction`);
  for (let i = 0; i < c.lrs.length - 1; i++) {
    if (i === from && resume) resume(s, opt);
    opt.step();
    if (c.kind === "ReduceLROnPlateau") s.step(c.negate ? -fixture.metrics[i] : fixture.metrics[i]);
    else s.step();
    close(opt.paramGroups.map((g) => g.lr), c.lrs[i + 1], `${c.kind}: lr after step ${i + 1}`);
    close(s.getLastLr(), c.lrs[i + 1], `${c.kind}: getLastLr after step ${i + 1}`);
    close(momentum(), c.momentums[i + 1], `${c.kind}: momentum after step ${i + 1}`);
  }
}

for (const c of fixture.cases as Case[]) {
  test(`${c.kind}(${JSON.stringify(c.args ?? [])}, ${JSON.stringify(c.options ?? {})}) on ${c.optimizer} matches PyTorch`, () => run(c));
}

test("scheduler stateDict round trip: a fresh scheduler loaded mid-run continues identically", () => {
  for (const c of fixture.cases as Case[]) {
    // run to step 12, save optimizer and scheduler, then continue with fresh ones loaded from the save
    let saved: { opt: any; sched: any } | null = null;
    const kind = c.optimizer ?? "SGD";
    const opt = makeOptimizer(kind);
    const s = build(c, opt);
    const stepOnce = (sch: any, o: any, i: number) => {
      o.step();
      if (c.kind === "ReduceLROnPlateau") sch.step(c.negate ? -fixture.metrics[i] : fixture.metrics[i]);
      else sch.step();
    };
    for (let i = 0; i < 12; i++) stepOnce(s, opt, i);
    saved = { opt: opt.stateDict(), sched: JSON.parse(JSON.stringify(s.stateDict(), (_k, v) => (v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v))) };
    const sched = JSON.parse(JSON.stringify(saved.sched), (_k, v) => (v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v));
    const opt2 = makeOptimizer(kind);
    const s2 = build(c, opt2);
    opt2.loadStateDict(saved.opt);
    s2.loadStateDict(sched);
    for (let i = 12; i < 30; i++) {
      stepOnce(s2, opt2, i);
      close(opt2.paramGroups.map((g) => g.lr), c.lrs[i + 1], `${c.kind} (resumed): lr after step ${i + 1}`);
      close(s2.getLastLr(), c.lrs[i + 1], `${c.kind} (resumed): getLastLr after step ${i + 1}`);
    }
  }
});

test("constructing a scheduler records initialLr in the groups", () => {
  const opt = makeOptimizer();
  new S.ExponentialLR(opt, 0.5);
  assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.05]);
  const s = new S.StepLR(opt, 2, { gamma: 0.5, lastEpoch: 3 }); // resuming needs initialLr
  assert.equal(s.lastEpoch, 4);
  assert.throws(() => new S.StepLR(makeOptimizer(), 2, { lastEpoch: 3 }), /initialLr/);
});

test("scheduler errors", () => {
  const opt = makeOptimizer();
  assert.throws(() => new S.StepLR({} as any, 2), /is not an Optimizer/);
  assert.throws(() => new S.LambdaLR(opt, [(e) => e]), /expected 2 lrLambdas/);
  assert.throws(() => new S.LinearLR(opt, { startFactor: 2 }), /startFactor/);
  assert.throws(() => new S.OneCycleLR(opt, 0.1), /totalSteps OR/);
  assert.throws(() => new S.OneCycleLR(opt, 0.1, { totalSteps: 10, annealStrategy: "exp" as any }), /annealStrategy/);
  assert.throws(() => new S.OneCycleLR(new optim.Adagrad([dt.zeros([1], { requiresGrad: true })]), 0.1, { totalSteps: 10 }), /must support momentum/);
  const one = new S.OneCycleLR(makeOptimizer(), 0.1, { totalSteps: 3 });
  one.step(); one.step(); one.step();
  assert.throws(() => one.step(), /Tried to step 5 times/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { factor: 1 }), /factor/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { mode: "up" as any }), /mode/);
  assert.throws(() => new S.SequentialLR(opt, [new S.ExponentialLR(opt, 0.9)], [3]), /one more than the number of milestone/);
  assert.throws(() => new S.SequentialLR(opt, [new S.ExponentialLR(makeOptimizer(), 0.9)], []), /same optimizer/);
});

test("ReduceLROnPlateau accepts a one-element tensor metric", () => {
  const opt = makeOptimizer();
  const s = new S.ReduceLROnPlateau(opt, { patience: 0 });
  s.step(dt.tensor(1));
  s.step(dt.tensor([2]));
  assert.deepEqual(s.getLastLr().map((x) => +x.toPrecision(12)), [0.01, 0.005]);
});

test("ReduceLROnPlateau state survives JSON (best = Infinity before any metric)", () => {
  const s = new S.ReduceLROnPlateau(makeOptimizer(), { patience: 0 });
  const s2 = new S.ReduceLROnPlateau(makeOptimizer(), { patience: 0 });
  s2.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
  assert.equal(s2.best, Infinity);
  s2.step(5);
  assert.equal(s2.best, 5);
  assert.deepEqual(s2.getLastLr(), [0.1, 0.05]);
});
