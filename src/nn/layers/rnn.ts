// Recurrent layers RNN, LSTM, GRU and their cells (torch/nn/modules/rnn.py), with PyTorch's parameter
// names and layouts: weight_ih_l{k}[_reverse] [gates*H, in], weight_hh_l{k} [gates*H, H], bias_ih/bias_hh
// [gates*H]; LSTM gates in the order i, f, g, o; GRU r, z, n. Every weight and bias starts U(+-1/sqrt(H)).
//
//   RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)
//   LSTM: i, f, g, o = sigma, sigma, tanh, sigma (W_ih x + b_ih + W_hh h + b_hh);  c' = f c + i g;  h' = o tanh(c')
//   GRU:  r = sigma(W_ir x + b_ir + W_hr h + b_hr);  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
//         n = tanh(W_in x + b_in + r (W_hn h + b_hn));  h' = (1 - z) n + z h

import { Tensor } from "../../tensor/tensor.js";
import { fmt } from "../../tensor/shape.js";
import { add, mul, sub, sigmoid, tanh, relu } from "../../ops/elementwise.js";
import { zeros } from "../../ops/creation.js";
import { cat, chunk, flip, narrow, reshape, select, stack, squeeze, transpose, unsqueeze } from "../../ops/shape.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { optionsOf, param, positiveInt } from "./common.js";

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** One layer's weights for one direction. */
interface CellWeights {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
}

type State = { h: Tensor; c?: Tensor };

/** One time step of the given cell type: x [N, I], state h (and c) [N, H]. */
function step(mode: Mode, x: Tensor, s: State, w: CellWeights): State {
  const gi = F.linear(x, w.wih, w.bih); // [N, G*H]
  const gh = F.linear(s.h, w.whh, w.bhh); // [N, G*H]
  switch (mode) {
    case "RNN_TANH":
      return { h: tanh(add(gi, gh)) };
    case "RNN_RELU":
      return { h: relu(add(gi, gh)) };
    case "LSTM": {
      const [i, f, g, o] = chunk(add(gi, gh), 4, 1); // each [N, H]
      const c = add(mul(sigmoid(f), s.c!), mul(sigmoid(i), tanh(g)));
      return { h: mul(sigmoid(o), tanh(c)), c };
    }
    case "GRU": {
      const [ir, iz, inn] = chunk(gi, 3, 1);
      const [hr, hz, hn] = chunk(gh, 3, 1);
      const r = sigmoid(add(ir, hr));
      const z = sigmoid(add(iz, hz));
      const n = tanh(add(inn, mul(r, hn)));
      return { h: add(n, mul(z, sub(s.h, n))) }; // (1 - z) n + z h
    }
  }
}

/** Options of nn.RNN, nn.LSTM and nn.GRU. */
export interface RNNOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** "tanh" (default) or "relu"; RNN only. */
  nonlinearity?: "tanh" | "relu";
  /** Biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [N, T, feature] instead of [T, N, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Also run each layer backwards in time and join both outputs (default false). */
  bidirectional?: boolean;
}
/** The option keys of RNN (LSTM and GRU: all but nonlinearity; LSTM adds projSize). */
export const RNN_KEYS = ["numLayers", "nonlinearity", "bias", "batchFirst", "dropout", "bidirectional"] as const;
const LSTM_KEYS = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "projSize"] as const;
const GRU_KEYS = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"] as const;
const RNN_CELL_KEYS = ["bias", "nonlinearity"] as const;
const CELL_KEYS = ["bias"] as const;

/** The shared body of RNN, LSTM and GRU. */
abstract class RNNBase extends Module {
  /** The number of stacked layers. */
  numLayers: number;
  /** Whether the layers have bias terms. */
  bias: boolean;
  /** Inputs and outputs are [N, L, H] when true, else [L, N, H]. */
  batchFirst: boolean;
  /** Dropout probability on the outputs of each layer but the last (training only). */
  dropout: number;
  /** Whether each layer also runs backward in time. */
  bidirectional: boolean;

  constructor(
    /** The cell type. */
    protected mode: Mode,
    /** The number of features of each input step. */
    public inputSize: number,
    /** The number of features of the hidden state. */
    public hiddenSize: number,
    opts: RNNOptions,
  ) {
    super();
    const name = this.constructor.name;
    positiveInt(name, inputSize, "inputSize");
    positiveInt(name, hiddenSize, "hiddenSize");
    opts = optionsOf(`nn.${name}`, opts, mode === "LSTM" ? LSTM_KEYS : mode === "GRU" ? GRU_KEYS : RNN_KEYS, 3);
    this.numLayers = positiveInt(name, opts.numLayers ?? 1, "numLayers");
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    const G = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++)
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const inSize = l === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${sfx}`, param([G, inSize]));
        this.registerParameter(`weight_hh${sfx}`, param([G, hiddenSize]));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, param([G]));
          this.registerParameter(`bias_hh${sfx}`, param([G]));
        }
      }
    this.resetParameters();
  }

  /** PyTorch's init: every weight and bias U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const bound = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, { a: -bound, b: bound });
  }

  /** The weights of layer l, direction d (0 forward, 1 reverse). */
  protected weights(l: number, d: number): CellWeights {
    const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
    const self = this as unknown as Record<string, Tensor | undefined>;
    return { wih: self[`weight_ih${sfx}`]!, whh: self[`weight_hh${sfx}`]!, bih: self[`bias_ih${sfx}`] ?? null, bhh: self[`bias_hh${sfx}`] ?? null };
  }

  /** Per layer and direction: [weight_ih, weight_hh, bias_ih?, bias_hh?] (PyTorch's all_weights). */
  get allWeights(): Tensor[][] {
    const out: Tensor[][] = [];
    for (let l = 0; l < this.numLayers; l++)
      for (let d = 0; d < (this.bidirectional ? 2 : 1); d++) {
        const w = this.weights(l, d);
        out.push([w.wih, w.whh, ...(w.bih && w.bhh ? [w.bih, w.bhh] : [])]);
      }
    return out;
  }

  /** Runs the stack. x: [T, N, I] ([N, T, I] with batchFirst) or unbatched [T, I]; h0 (and c0): [L*D, N, H] or [L*D, H]. */
  protected run(x: Tensor, h0: Tensor | null | undefined, c0: Tensor | null | undefined): [Tensor, Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (!(x instanceof Tensor)) throw new Error(`${name}: expected a Tensor input`);
    const batched = x.ndim === 3;
    if (!batched && x.ndim !== 2) throw new Error(`${name}: expected input of 2 (unbatched) or 3 dims, got ${fmt(x.shape)}`);
    if (!batched) x = unsqueeze(x, this.batchFirst ? 0 : 1);
    if (this.batchFirst) x = transpose(x, 0, 1); // [T, N, I]
    const [T, N, I] = x.shape;
    if (I !== this.inputSize) throw new Error(`${name}: input ${fmt(x.shape)} has ${I} features, expected inputSize ${this.inputSize}`);
    const D = this.bidirectional ? 2 : 1, L = this.numLayers, H = this.hiddenSize;
    const stateShape = [L * D, N, H];
    const prep = (s: Tensor | null | undefined, what: string): Tensor => {
      if (s === null || s === undefined) return zeros(stateShape, { dtype: x.dtype });
      const t = batched ? s : unsqueeze(s, 1);
      if (t.shape.join() !== stateShape.join())
        throw new Error(`${name}: expected ${what} of shape ${fmt(batched ? stateShape : [L * D, H])}, got ${fmt(s.shape)}`);
      return t;
    };
    const lstm = this.mode === "LSTM";
    const h = prep(h0, "hidden state h0");
    const c = lstm ? prep(c0, "cell state c0") : null;

    if (lstm) return this.runLSTM(x, h, c!, batched);
    let seq: Tensor[] = [];
    for (let t = 0; t < T; t++) seq.push(reshape(narrow(x, 0, t, 1), [N, I]));
    const hN: Tensor[] = [], cN: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[][] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights(l, d);
        const k = l * D + d;
        let s: State = { h: reshape(narrow(h, 0, k, 1), [N, H]) };
        if (c) s.c = reshape(narrow(c, 0, k, 1), [N, H]);
        const out = new Array<Tensor>(T);
        for (let i = 0; i < T; i++) {
          const t = d === 0 ? i : T - 1 - i;
          s = step(this.mode, seq[t], s, w);
          out[t] = s.h;
        }
        outs.push(out);
        hN.push(s.h);
        if (s.c) cN.push(s.c);
      }
      seq = D === 1 ? outs[0] : outs[0].map((o, t) => cat([o, outs[1][t]], 1)); // [N, D*H] per step
      if (this.dropout > 0 && this.training && l < L - 1) seq = seq.map((o) => F.dropout(o, { p: this.dropout, training: true }));
    }
    let output = stack(seq, 0); // [T, N, D*H]
    if (this.batchFirst) output = transpose(output, 0, 1);
    let hOut = stack(hN, 0); // [L*D, N, H]
    let cOut = lstm ? stack(cN, 0) : null;
    if (!batched) {
      output = squeeze(output, this.batchFirst ? 0 : 1);
      hOut = squeeze(hOut, 1);
      if (cOut) cOut = squeeze(cOut, 1);
    }
    return [output, hOut, cOut];
  }

  /** LSTM layers as whole-sequence ops (F.lstm): x [T, N, I]; h, c [L*D, N, H]. */
  private runLSTM(x: Tensor, h: Tensor, c: Tensor, batched: boolean): [Tensor, Tensor, Tensor] {
    const D = this.bidirectional ? 2 : 1, L = this.numLayers;
    const hN: Tensor[] = [], cN: Tensor[] = [];
    let input = x;
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights(l, d);
        const k = l * D + d;
        const xin = d === 0 ? input : flip(input, 0);
        const [out, hk, ck] = F.lstm(xin, select(h, 0, k), select(c, 0, k), w.wih, w.whh, w.bih, w.bhh);
        outs.push(d === 0 ? out : flip(out, 0));
        hN.push(hk);
        cN.push(ck);
      }
      input = D === 1 ? outs[0] : cat(outs, 2); // [T, N, D*H]
      if (this.dropout > 0 && this.training && l < L - 1) input = F.dropout(input, { p: this.dropout, training: true });
    }
    let output = input;
    if (this.batchFirst) output = transpose(output, 0, 1);
    let hOut = stack(hN, 0), cOut = stack(cN, 0); // [L*D, N, H]
    if (!batched) {
      output = squeeze(output, this.batchFirst ? 0 : 1);
      hOut = squeeze(hOut, 1);
      cOut = squeeze(cOut, 1);
    }
    return [output, hOut, cOut];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, numLayers=${this.numLayers}`;
    if (!this.bias) s += ", bias=false";
    if (this.batchFirst) s += ", batchFirst=true";
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ", bidirectional=true";
    return s;
  }
}

/** Elman RNN.  @example const rnn = new nn.RNN(10, 20, { numLayers: 2 }); const [out, hN] = rnn.call(x, h0); */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nl = optionsOf("nn.RNN", opts, RNN_KEYS, 3).nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new Error(`RNN: unknown nonlinearity ${JSON.stringify(nl)} (expected "tanh" or "relu")`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts);
  }
  /** Returns [output [T, N, D*H], hN [L*D, N, H]]. */
  override forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, h] = this.run(x, h0, null);
    return [out, h];
  }
}

/** Long short-term memory.  @example const lstm = new nn.LSTM(10, 20); const [out, [hN, cN]] = lstm.call(x); */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNOptions, "nonlinearity"> & { projSize?: number } = {}) {
    if (optionsOf("nn.LSTM", opts, LSTM_KEYS, 3).projSize) throw new Error(`LSTM: projSize is not supported (got ${opts.projSize})`);
    super("LSTM", inputSize, hiddenSize, opts);
  }
  /** Returns [output [T, N, D*H], [hN, cN] each [L*D, N, H]]. */
  override forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (state !== undefined && state !== null && (!Array.isArray(state) || state.length !== 2))
      throw new Error("LSTM: the initial state must be a pair [h0, c0]");
    const [out, h, c] = this.run(x, state?.[0], state?.[1]);
    return [out, [h, c!]];
  }
}

/** Gated recurrent unit.  @example const gru = new nn.GRU(10, 20, { batchFirst: true }); const [out, hN] = gru.call(x); */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: Omit<RNNOptions, "nonlinearity"> = {}) {
    super("GRU", inputSize, hiddenSize, opts);
  }
  /** Returns [output [T, N, D*H], hN [L*D, N, H]]. */
  override forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, h] = this.run(x, h0, null);
    return [out, h];
  }
}

/** The shared body of the cells: weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh [G*H]. */
abstract class RNNCellBase extends Module {
  /** The input-hidden weights [gates * hiddenSize, inputSize]. */
  declare weight_ih: Parameter;
  /** The hidden-hidden weights [gates * hiddenSize, hiddenSize]. */
  declare weight_hh: Parameter;
  /** The input-hidden bias (null without bias). */
  declare bias_ih: Parameter | null;
  /** The hidden-hidden bias (null without bias). */
  declare bias_hh: Parameter | null;

  constructor(
    /** The cell type. */
    protected mode: Mode,
    /** The number of features of the input. */
    public inputSize: number,
    /** The number of features of the hidden state. */
    public hiddenSize: number,
    bias: boolean,
  ) {
    super();
    positiveInt(this.constructor.name, inputSize, "inputSize");
    positiveInt(this.constructor.name, hiddenSize, "hiddenSize");
    const G = GATES[mode] * hiddenSize;
    this.weight_ih = param([G, inputSize]);
    this.weight_hh = param([G, hiddenSize]);
    this.bias_ih = bias ? param([G]) : null;
    this.bias_hh = bias ? param([G]) : null;
    this.resetParameters();
  }
  /** PyTorch's init: every weight and bias U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, { a: -bound, b: bound });
  }
  /** x [N, I] or [I]; states [N, H] or [H] (zeros when omitted). */
  protected cell(x: Tensor, h: Tensor | null | undefined, c: Tensor | null | undefined): State {
    const name = this.constructor.name;
    if (!(x instanceof Tensor) || (x.ndim !== 1 && x.ndim !== 2)) throw new Error(`${name}: expected input of 1 or 2 dims, got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`);
    const batched = x.ndim === 2;
    const xb = batched ? x : unsqueeze(x, 0);
    if (xb.shape[1] !== this.inputSize) throw new Error(`${name}: input ${fmt(x.shape)} has ${xb.shape[1]} features, expected inputSize ${this.inputSize}`);
    const N = xb.shape[0], want = [N, this.hiddenSize];
    const prep = (s: Tensor | null | undefined, what: string): Tensor => {
      if (s === null || s === undefined) return zeros(want, { dtype: x.dtype });
      const t = batched ? s : unsqueeze(s, 0);
      if (t.shape.join() !== want.join()) throw new Error(`${name}: expected ${what} of shape ${fmt(batched ? want : [this.hiddenSize])}, got ${fmt(s.shape)}`);
      return t;
    };
    const s: State = { h: prep(h, "hidden state") };
    if (this.mode === "LSTM") s.c = prep(c, "cell state");
    const w = { wih: this.weight_ih, whh: this.weight_hh, bih: this.bias_ih, bhh: this.bias_hh };
    const r = step(this.mode, xb, s, w);
    return batched ? r : { h: squeeze(r.h, 0), c: r.c ? squeeze(r.c, 0) : undefined };
  }
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? "" : ", bias=false"}`;
  }
}

/** One Elman RNN step.  @example const cell = new nn.RNNCell(10, 20); h = cell.call(x, h); */
export class RNNCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: "tanh" | "relu" } = {}) {
    opts = optionsOf("nn.RNNCell", opts, RNN_CELL_KEYS, 3);
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new Error(`RNNCell: unknown nonlinearity ${JSON.stringify(nl)} (expected "tanh" or "relu")`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts.bias ?? true);
  }
  override forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h, null).h;
  }
}

/** One LSTM step.  @example const cell = new nn.LSTMCell(10, 20); [h, c] = cell.call(x, [h, c]); */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super("LSTM", inputSize, hiddenSize, optionsOf("nn.LSTMCell", opts, CELL_KEYS, 3).bias ?? true);
  }
  override forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const r = this.cell(x, state?.[0], state?.[1]);
    return [r.h, r.c!];
  }
}

/** One GRU step.  @example const cell = new nn.GRUCell(10, 20); h = cell.call(x, h); */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super("GRU", inputSize, hiddenSize, optionsOf("nn.GRUCell", opts, CELL_KEYS, 3).bias ?? true);
  }
  override forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h, null).h;
  }
}
