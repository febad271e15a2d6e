// optim.lrScheduler: learning-rate schedules, as torch.optim.lr_scheduler (PyTorch 1.13's
// formulas, recursive "chainable" forms included, so the values match PyTorch's to rounding).
// A scheduler sets `initialLr` in each param group when built (PyTorch's initial_lr) and takes its
// first step then: after `new StepLR(opt, ...)` the groups hold the epoch-0 learning rate.
// Call `opt.step()` then `scheduler.step()` once per epoch (or per batch for OneCycleLR).
// StepLR MultiStepLR ExponentialLR CosineAnnealingLR LinearLR OneCycleLR ReduceLROnPlateau LambdaLR
// SequentialLR, and also ConstantLR PolynomialLR MultiplicativeLR CosineAnnealingWarmRestarts ChainedScheduler.

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup } from "./optimizer.js";

/** An optimiser of any options type. */
export type AnyOptimizer = Optimizer<object>;
type Group = ParamGroup<Record<string, unknown>> & Record<string, any>; // internal, not in the declarations

/** What every scheduler offers. */
export interface Scheduler {
  /** The optimiser whose param groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The learning rate of each param group after the last step. */
  getLastLr(): number[];
  /** The scheduler's state (every field but the optimizer), as PyTorch's state_dict(). */
  stateDict(): Record<string, unknown>;
  /** Restores a state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void;
}

function checkOptimizer(name: string, opt: unknown): AnyOptimizer {
  if (!(opt instanceof Optimizer)) throw new TypeError(`${name}: ${describe(opt)} is not an Optimizer`);
  return opt;
}

function describe(x: unknown): string {
  return x === null || x === undefined ? String(x) : typeof x === "object" ? (x.constructor?.name ?? "object") : `${typeof x} ${String(x)}`;
}

function groupsOf(opt: AnyOptimizer): Group[] {
  return opt.paramGroups as Group[];
}

/** The index at which x would be inserted after equal entries of a sorted array (Python's bisect_right). */
function bisectRight(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One value per param group: a number repeated, or an array of the right length. */
function perGroup(name: string, what: string, opt: AnyOptimizer, v: number | readonly number[]): number[] {
  const n = opt.paramGroups.length;
  if (Array.isArray(v)) {
    if (v.length !== n) throw new RangeError(`${name}: expected ${n} values for ${what} (one per param group), got ${v.length}`);
    return v.slice();
  }
  return new Array<number>(n).fill(v as number);
}

function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  if (v !== null && typeof v === "object" && !(v instanceof Tensor)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x);
    return o;
  }
  return v;
}

/** The scheduler's fields other than the optimizer and functions (copies), as PyTorch's __dict__. */
function fieldsOf(obj: object, skip: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === "optimizer" || skip.includes(k) || typeof v === "function") continue;
    out[k] = copyValue(v);
  }
  return out;
}

/** Base of the epoch-indexed schedulers (PyTorch's _LRScheduler). Subclasses set their fields and
 *  then call `initialStep()`; `getLr()` is the chainable form, `closedFormLr()` the closed form
 *  used when stepping to an explicit epoch (as SequentialLR does at its milestones). */
export abstract class LRScheduler implements Scheduler {
  /** The optimiser whose param groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The learning rate of each group at epoch 0 (the groups' `initialLr`). */
  baseLrs: number[];
  /** The index of the last epoch stepped (−1 before the first step). */
  lastEpoch: number;
  /** Steps taken. */
  protected _stepCount = 0;
  /** The learning rate of each param group after the last step. */
  protected _lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = checkOptimizer(this.constructor.name, optimizer);
    const groups = groupsOf(optimizer);
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(`${this.constructor.name}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The learning rates for `lastEpoch`, from the groups' current ones (chainable form). */
  protected abstract getLr(): number[];
  /** The learning rates for `lastEpoch` from `baseLrs` alone, where a closed form exists. */
  protected closedFormLr?(): number[];

  /** Resets the step count and takes the first step (PyTorch's _initial_step). */
  initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets each group's lr. `epoch` (deprecated in PyTorch, used by
   *  SequentialLR) jumps to that epoch with the closed form. */
  step(epoch?: number): void {
    this._stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    const groups = groupsOf(this.optimizer);
    groups.forEach((g, i) => (g.lr = values[i]));
    this._lastLr = groups.map((g) => g.lr);
  }

  /** The learning rate of each param group after the last step. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }

  /** Every field except the optimizer (and functions), as PyTorch's state_dict. */
  stateDict(): Record<string, unknown> {
    return fieldsOf(this, []);
  }

  /** Restores a state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(sd)) if (k !== "optimizer") (this as Record<string, unknown>)[k] = copyValue(v);
  }

  /** The current lr of each param group. */
  protected lrs(): number[] {
    return groupsOf(this.optimizer).map((g) => g.lr);
  }
}

const LAMBDALR_KEYS = ["lastEpoch"] as const;
/** lr = initialLr · lrLambda(epoch) (one function, or one per group).
 *  @example new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch) */
export class LambdaLR extends LRScheduler {
  /** The factor of the initial lr for each epoch, one function per param group. */
  lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: { lastEpoch?: number } = {}) {
    const { lastEpoch = -1 } = checkOptions("optim.lrScheduler.LambdaLR", opts, LAMBDALR_KEYS, 3);
    super(optimizer, lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`LambdaLR: expected ${n} lrLambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      if (typeof lrLambda !== "function") throw new TypeError(`LambdaLR: lrLambda must be a function or an array of functions, got ${describe(lrLambda)}`);
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
  /** The state without the lambdas (functions are not saved, as in PyTorch). */
  override stateDict(): Record<string, unknown> {
    return fieldsOf(this, ["lrLambdas"]);
  }
  /** Restores a state from stateDict() (the lambdas stay as constructed). */
  override loadStateDict(sd: Record<string, unknown>): void {
    const { lrLambdas: _ignored, ...rest } = sd;
    super.loadStateDict(rest);
  }
}

const STEPLR_KEYS = ["gamma", "lastEpoch"] as const;
/** Multiplies the lr by gamma every stepSize epochs.
 *  @example new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 }) */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  stepSize: number;
  /** The factor of each decay. */
  gamma: number;
  constructor(optimizer: AnyOptimizer, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    const { gamma = 0.1, lastEpoch = -1 } = checkOptions("optim.lrScheduler.StepLR", opts, STEPLR_KEYS, 3);
    super(optimizer, lastEpoch);
    if (!Number.isInteger(stepSize) || stepSize <= 0) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

const MULTISTEPLR_KEYS = ["gamma", "lastEpoch"] as const;
/** Multiplies the lr by gamma at each milestone epoch.
 *  @example new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 }) */
export class MultiStepLR extends LRScheduler {
  /** Sorted milestones (repeats allowed: a milestone given twice applies gamma twice). */
  milestones: number[];
  /** The factor of each decay. */
  gamma: number;
  constructor(optimizer: AnyOptimizer, milestones: readonly number[], opts: { gamma?: number; lastEpoch?: number } = {}) {
    const { gamma = 0.1, lastEpoch = -1 } = checkOptions("optim.lrScheduler.MultiStepLR", opts, MULTISTEPLR_KEYS, 3);
    super(optimizer, lastEpoch);
    if (!Array.isArray(milestones)) throw new TypeError(`MultiStepLR: milestones must be an array of epochs, got ${describe(milestones)}`);
    this.milestones = milestones.slice().sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

const EXPONENTIALLR_KEYS = ["lastEpoch"] as const;
/** Multiplies the lr by gamma every epoch.
 *  @example new optim.lrScheduler.ExponentialLR(opt, 0.95) */
export class ExponentialLR extends LRScheduler {
  /** The factor applied every epoch. */
  gamma: number;
  constructor(optimizer: AnyOptimizer, gamma: number, opts: { lastEpoch?: number } = {}) {
    const { lastEpoch = -1 } = checkOptions("optim.lrScheduler.ExponentialLR", opts, EXPONENTIALLR_KEYS, 3);
    super(optimizer, lastEpoch);
    if (typeof gamma !== "number") throw new TypeError(`ExponentialLR: gamma must be a number, got ${describe(gamma)}`);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

const COSINEANNEALINGLR_KEYS = ["etaMin", "lastEpoch"] as const;
/** Cosine annealing from the initial lr to etaMin over tMax epochs (SGDR without restarts;
 *  Loshchilov & Hutter 2017), in PyTorch's recursive form:
 *  lr_t = etaMin + (lr_{t−1} − etaMin)·(1 + cos(πt/tMax)) / (1 + cos(π(t−1)/tMax)).
 *  @example new optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 }) */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of a half cosine period. */
  tMax: number;
  /** The smallest lr. */
  etaMin: number;
  constructor(optimizer: AnyOptimizer, tMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    const { etaMin = 0, lastEpoch = -1 } = checkOptions("optim.lrScheduler.CosineAnnealingLR", opts, COSINEANNEALINGLR_KEYS, 3);
    super(optimizer, lastEpoch);
    if (typeof tMax !== "number" || !(tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be a positive number, got ${String(tMax)}`);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    if (e === 0) return this.lrs();
    if (this._stepCount === 1 && e > 0) return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    if (pyMod(e - 1 - tMax, 2 * tMax) === 0) return this.lrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    return this.lrs().map((lr) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

const COSINEANNEALINGWARMRESTARTS_KEYS = ["tMult", "etaMin", "lastEpoch"] as const;
/** Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017): restarts every t0 epochs,
 *  the period multiplied by tMult after each restart.
 *  @example new optim.lrScheduler.CosineAnnealingWarmRestarts(opt, 10, { tMult: 2, etaMin: 1e-5 }) */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs until the first restart. */
  t0: number;
  /** Epochs of the current period. */
  tI: number;
  /** The factor of the period after each restart. */
  tMult: number;
  /** The smallest lr. */
  etaMin: number;
  /** Epochs since the last restart. */
  tCur: number;
  constructor(optimizer: AnyOptimizer, t0: number, opts: { tMult?: number; etaMin?: number; lastEpoch?: number } = {}) {
    const { tMult = 1, etaMin = 0, lastEpoch = -1 } = checkOptions("optim.lrScheduler.CosineAnnealingWarmRestarts", opts, COSINEANNEALINGWARMRESTARTS_KEYS, 3);
    super(optimizer, lastEpoch);
    if (!Number.isInteger(t0) || t0 <= 0) throw new RangeError(`CosineAnnealingWarmRestarts: Expected positive integer t0, but got ${t0}`);
    if (!Number.isInteger(tMult) || tMult < 1) throw new RangeError(`CosineAnnealingWarmRestarts: Expected integer tMult >= 1, but got ${tMult}`);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  /** Advances one epoch (possibly fractional when `epoch` is given, for per-batch stepping). */
  override step(epoch?: number): void {
    this._stepCount += 1;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`CosineAnnealingWarmRestarts: Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    const groups = groupsOf(this.optimizer);
    groups.forEach((g, i) => (g.lr = values[i]));
    this._lastLr = groups.map((g) => g.lr);
  }
}

const CONSTANTLR_KEYS = ["factor", "totalIters", "lastEpoch"] as const;
/** Multiplies the lr by factor until epoch totalIters, then restores it.
 *  @example new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 4 }) */
export class ConstantLR extends LRScheduler {
  /** The factor of the lr until totalIters. */
  factor: number;
  /** Epochs during which the factor applies. */
  totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: { factor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    const { factor = 1 / 3, totalIters = 5, lastEpoch = -1 } = checkOptions("optim.lrScheduler.ConstantLR", opts, CONSTANTLR_KEYS, 2);
    super(optimizer, lastEpoch);
    if (!(factor > 0 && factor <= 1)) throw new RangeError(`ConstantLR: factor expected to be greater than 0 and at most 1, got ${factor}`);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.lrs();
    return this.lrs().map((lr) => lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

const POLYNOMIALLR_KEYS = ["totalIters", "power", "lastEpoch"] as const;
/** Decays the lr polynomially to 0 over totalIters epochs: lr = initialLr·(1 − t/totalIters)^power.
 *  @example new optim.lrScheduler.PolynomialLR(opt, { totalIters: 100, power: 2 }) */
export class PolynomialLR extends LRScheduler {
  /** Epochs over which the lr decays to 0. */
  totalIters: number;
  /** The power of the polynomial. */
  power: number;
  constructor(optimizer: AnyOptimizer, opts: { totalIters?: number; power?: number; lastEpoch?: number } = {}) {
    const { totalIters = 5, power = 1, lastEpoch = -1 } = checkOptions("optim.lrScheduler.PolynomialLR", opts, POLYNOMIALLR_KEYS, 2);
    super(optimizer, lastEpoch);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, totalIters: T } = this;
    if (e === 0 || e > T) return this.lrs();
    const decay = ((1 - e / T) / (1 - (e - 1) / T)) ** this.power;
    return this.lrs().map((lr) => lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

const MULTIPLICATIVELR_KEYS = ["lastEpoch"] as const;
/** Multiplies the lr by lrLambda(epoch) at every step after the first.
 *  @example new optim.lrScheduler.MultiplicativeLR(opt, () => 0.95) */
export class MultiplicativeLR extends LRScheduler {
  /** The factor applied to the lr at each epoch, one function per param group. */
  lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: { lastEpoch?: number } = {}) {
    const { lastEpoch = -1 } = checkOptions("optim.lrScheduler.MultiplicativeLR", opts, MULTIPLICATIVELR_KEYS, 3);
    super(optimizer, lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`MultiplicativeLR: expected ${n} lrLambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      if (typeof lrLambda !== "function") throw new TypeError(`MultiplicativeLR: lrLambda must be a function or an array of functions, got ${describe(lrLambda)}`);
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.lrs().map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
    return this.lrs();
  }
  /** The state without the lambdas (functions are not saved, as in PyTorch). */
  override stateDict(): Record<string, unknown> {
    return fieldsOf(this, ["lrLambdas"]);
  }
  /** Restores a state from stateDict() (the lambdas stay as constructed). */
  override loadStateDict(sd: Record<string, unknown>): void {
    const { lrLambdas: _ignored, ...rest } = sd;
    super.loadStateDict(rest);
  }
}

/** Python's modulo (the sign of the divisor). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Options of LinearLR. */
export interface LinearLROptions {
  /** Factor of the lr at epoch 0. Default 1/3. */
  startFactor?: number;
  /** Factor reached at totalIters and kept after. Default 1. */
  endFactor?: number;
  /** Epochs of the linear change. Default 5. */
  totalIters?: number;
  /** The epoch to resume from (default -1: a fresh start). */
  lastEpoch?: number;
}

const LINEARLR_KEYS = ["startFactor", "endFactor", "totalIters", "lastEpoch"] as const;
/** Scales the lr by a factor going linearly from startFactor to endFactor over totalIters epochs (warm-up).
 *  @example new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 }) */
export class LinearLR extends LRScheduler {
  /** The factor of the lr at the first epoch. */
  startFactor: number;
  /** The factor of the lr from totalIters on. */
  endFactor: number;
  /** Epochs of the linear change. */
  totalIters: number;
  constructor(optimizer: AnyOptimizer, opts: LinearLROptions = {}) {
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5, lastEpoch = -1 } = checkOptions("optim.lrScheduler.LinearLR", opts, LINEARLR_KEYS, 2);
    super(optimizer, lastEpoch);
    if (!(startFactor > 0 && startFactor <= 1)) throw new RangeError(`LinearLR: startFactor expected to be greater than 0 and at most 1, got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1)) throw new RangeError(`LinearLR: endFactor expected to be between 0 and 1, got ${endFactor}`);
    if (!Number.isInteger(totalIters) || totalIters <= 0) throw new RangeError(`LinearLR: totalIters must be a positive integer, got ${totalIters}`);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: T } = this;
    if (e === 0) return this.lrs().map((lr) => lr * s);
    if (e > T) return this.lrs();
    return this.lrs().map((lr) => lr * (1 + (f - s) / (T * s + (e - 1) * (f - s))));
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: T } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(T, e)) / T));
  }
}

/** Options of OneCycleLR (PyTorch's names and defaults). */
export interface OneCycleLROptions {
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, gives totalSteps = epochs * stepsPerEpoch. */
  epochs?: number;
  /** Batches per epoch, with epochs. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr. Default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear" annealing. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD/RMSprop `momentum`, Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr's peak. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, then annihilate) as the original paper. Default false. */
  threePhase?: boolean;
  /** The step to resume from (default -1: a fresh start). */
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

const ONECYCLELR_KEYS = ["totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase", "lastEpoch"] as const;
/** The 1cycle policy (Smith & Topin 2017, "Super-Convergence"), stepped after every batch.
 *  @example new optim.lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 1000 }) */
export class OneCycleLR extends LRScheduler {
  /** Steps of the whole cycle. */
  totalSteps: number;
  /** How the lr moves between its bounds: "cos" or "linear". */
  annealStrategy: "cos" | "linear";
  /** Whether the momentum (or Adam's beta1) cycles inversely to the lr. */
  cycleMomentum: boolean;
  /** True when the optimiser's momentum is Adam's betas[0]. */
  useBeta1: boolean;
  private schedulePhases: Phase[];

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    checkOptimizer("OneCycleLR", optimizer);
    const {
      totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = "cos", cycleMomentum = true, baseMomentum = 0.85,
      maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1,
    } = checkOptions("optim.lrScheduler.OneCycleLR", options, ONECYCLELR_KEYS, 3);
    let total: number;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined)
      throw new Error("OneCycleLR: You must define either totalSteps OR (epochs AND stepsPerEpoch)");
    else if (totalSteps !== undefined) {
      if (!Number.isInteger(totalSteps) || totalSteps <= 0) throw new RangeError(`OneCycleLR: Expected positive integer totalSteps, but got ${totalSteps}`);
      total = totalSteps;
    } else {
      if (!Number.isInteger(epochs) || (epochs as number) <= 0) throw new RangeError(`OneCycleLR: Expected positive integer epochs, but got ${epochs}`);
      if (!Number.isInteger(stepsPerEpoch) || (stepsPerEpoch as number) <= 0)
        throw new RangeError(`OneCycleLR: Expected positive integer stepsPerEpoch, but got ${stepsPerEpoch}`);
      total = (epochs as number) * (stepsPerEpoch as number);
    }
    if (typeof pctStart !== "number" || !(pctStart >= 0 && pctStart <= 1)) throw new RangeError(`OneCycleLR: Expected pctStart between 0 and 1, but got ${pctStart}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear")
      throw new RangeError(`OneCycleLR: annealStrategy must be one of 'cos' or 'linear', instead got ${String(annealStrategy)}`);
    const phases: Phase[] = threePhase
      ? [
          { endStep: pctStart * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pctStart * total - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: total - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pctStart * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: total - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    const groups = groupsOf(optimizer);
    const maxLrs = perGroup("OneCycleLR", "maxLr", optimizer, maxLr);
    if (lastEpoch === -1)
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    let useBeta1 = false;
    if (cycleMomentum) {
      const d = optimizer.defaults as Record<string, unknown>;
      if (!("momentum" in d) && !("betas" in d)) throw new Error("OneCycleLR: optimizer must support momentum with `cycleMomentum` option enabled");
      useBeta1 = "betas" in d;
      const maxM = perGroup("OneCycleLR", "maxMomentum", optimizer, maxMomentum);
      const baseM = perGroup("OneCycleLR", "baseMomentum", optimizer, baseMomentum);
      if (lastEpoch === -1)
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.schedulePhases = phases;
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new Error(`OneCycleLR: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    const phases = this.schedulePhases;
    return groupsOf(this.optimizer).map((g) => {
      let start = 0;
      let lr = 0, momentum = 0;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i];
        if (stepNum <= ph.endStep || i === phases.length - 1) {
          const pct = (stepNum - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

/** Options of ReduceLROnPlateau (PyTorch's names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** "min": reduce when the metric stops decreasing; "max": when it stops increasing. Default "min". */
  mode?: "min" | "max";
  /** new lr = lr · factor. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** How much better counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** "rel" (best·(1 ∓ threshold)) or "abs" (best ∓ threshold). Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr (one value, or one per group). Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped. Default 1e-8. */
  eps?: number;
}

const REDUCELRONPLATEAU_KEYS = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"] as const;
/** Reduces the lr when a metric has stopped improving; `step(metric)` once per epoch.
 *  @example const s = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 5 }); s.step(valLoss); */
export class ReduceLROnPlateau implements Scheduler {
  /** The optimiser whose param groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** "min": lower metrics are better; "max": higher ones. */
  mode: "min" | "max";
  /** The factor of each reduction. */
  factor: number;
  /** Epochs without improvement before a reduction. */
  patience: number;
  /** The smallest change that counts as an improvement. */
  threshold: number;
  /** "rel": threshold relative to the best; "abs": absolute. */
  thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again. */
  cooldown: number;
  /** The smallest lr of each param group. */
  minLrs: number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
  /** The best metric seen. */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of steps taken. */
  lastEpoch = 0;
  /** The learning rate of each param group after the last step. */
  protected _lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = checkOptimizer("ReduceLROnPlateau", optimizer);
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0, minLr = 0, eps = 1e-8 } = checkOptions("optim.lrScheduler.ReduceLROnPlateau", options, REDUCELRONPLATEAU_KEYS, 2);
    if (!(factor < 1)) throw new RangeError(`ReduceLROnPlateau: factor should be < 1.0, got ${factor}`);
    if (mode !== "min" && mode !== "max") throw new RangeError(`ReduceLROnPlateau: mode ${String(mode)} is unknown (expected "min" or "max")`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs")
      throw new RangeError(`ReduceLROnPlateau: threshold mode ${String(thresholdMode)} is unknown (expected "rel" or "abs")`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = perGroup("ReduceLROnPlateau", "minLr", optimizer, minLr);
    this.eps = eps;
    this.best = mode === "min" ? Infinity : -Infinity;
    this._lastLr = groupsOf(optimizer).map((g) => g.lr);
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the lr if needed. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : Number(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown don't count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  private reduceLr(): void {
    groupsOf(this.optimizer).forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (1 + this.threshold) : a > best + this.threshold;
  }

  /** The learning rate of each param group after the last step. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }
  /** The scheduler's state (every field but the optimizer). */
  stateDict(): Record<string, unknown> {
    return fieldsOf(this, []);
  }
  /** Restores a state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(sd)) if (k !== "optimizer") (this as Record<string, unknown>)[k] = copyValue(v);
    // JSON turns ±Infinity (no metric seen yet) into null
    if (typeof this.best !== "number") this.best = this.mode === "min" ? Infinity : -Infinity;
  }
}

const SEQUENTIALLR_KEYS = ["lastEpoch"] as const;
/** Runs schedulers one after another, switching at the milestones (epoch counts).
 *  @example new optim.lrScheduler.SequentialLR(opt, [warmup, cosine], [5]) */
export class SequentialLR implements Scheduler {
  /** The optimiser whose param groups' lr the schedulers set. */
  readonly optimizer: AnyOptimizer;
  /** The number of steps taken. */
  lastEpoch: number;
  private readonly schedulers: LRScheduler[];
  private readonly milestones: number[];
  /** The learning rate of each param group after the last step. */
  protected _lastLr: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], opts: { lastEpoch?: number } = {}) {
    const { lastEpoch = -1 } = checkOptions("optim.lrScheduler.SequentialLR", opts, SEQUENTIALLR_KEYS, 4);
    this.optimizer = checkOptimizer("SequentialLR", optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TypeError("SequentialLR: schedulers must be a non-empty array");
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler))
        throw new TypeError(`SequentialLR: the scheduler at index ${i} (${describe(s)}) is not an epoch scheduler (ReduceLROnPlateau and SequentialLR cannot be nested)`);
      if (s.optimizer !== optimizer)
        throw new Error(`SequentialLR: expects all schedulers to belong to the same optimizer, but got the scheduler at index ${i} to be different than the optimizer passed in`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new RangeError(
        `SequentialLR: expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones?.length}`,
      );
    this.schedulers = schedulers.slice();
    this.milestones = milestones.slice();
    this.lastEpoch = lastEpoch + 1;
    // reset the lr to its initial value and undo the step the schedulers took when built
    for (const g of groupsOf(optimizer)) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this._lastLr = this.schedulers[0].getLastLr();
  }

  /** Steps the scheduler of the current milestone interval. */
  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }

  /** The learning rate of each param group after the last step. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }
  /** The state, with each scheduler's own. */
  stateDict(): Record<string, unknown> {
    return { ...fieldsOf(this, ["schedulers"]), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  /** Restores a state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    const { schedulers, ...rest } = sd;
    for (const [k, v] of Object.entries(rest)) if (k !== "optimizer") (this as Record<string, unknown>)[k] = copyValue(v);
    if (Array.isArray(schedulers)) schedulers.forEach((s, i) => this.schedulers[i]?.loadStateDict(s as Record<string, unknown>));
  }
}

/** Steps several schedulers together, their factors multiplying (each must be chainable).
 *  @example new optim.lrScheduler.ChainedScheduler([new ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new ExponentialLR(opt, 0.9)]) */
export class ChainedScheduler implements Scheduler {
  /** The optimiser whose param groups' lr the schedulers set. */
  readonly optimizer: AnyOptimizer;
  private readonly schedulers: LRScheduler[];
  /** The learning rate of each param group after the last step. */
  protected _lastLr: number[];
  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TypeError("ChainedScheduler: schedulers must be a non-empty array");
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`ChainedScheduler: the scheduler at index ${i} (${describe(s)}) is not an epoch scheduler`);
      if (s.optimizer !== schedulers[0].optimizer)
        throw new Error(`ChainedScheduler: expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this.schedulers = schedulers.slice();
    this.optimizer = schedulers[0].optimizer;
    this._lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }
  /** Steps every scheduler, in order. */
  step(): void {
    for (const s of this.schedulers) s.step();
    this._lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }
  /** The learning rate of each param group after the last step. */
  getLastLr(): number[] {
    return this._lastLr.slice();
  }
  /** The state, with each scheduler's own. */
  stateDict(): Record<string, unknown> {
    return { ...fieldsOf(this, ["schedulers"]), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  /** Restores a state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    const { schedulers, ...rest } = sd;
    for (const [k, v] of Object.entries(rest)) if (k !== "optimizer") (this as Record<string, unknown>)[k] = copyValue(v);
    if (Array.isArray(schedulers)) schedulers.forEach((s, i) => this.schedulers[i]?.loadStateDict(s as Record<string, unknown>));
  }
}
