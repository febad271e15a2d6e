// Dropout (torch/nn/modules/dropout.py): active in training mode only.

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";
import { firstOrOptions } from "./common.js";

const DROPOUT_KEYS = ["p", "inplace"] as const;
const DROPOUT2D_KEYS = DROPOUT_KEYS;

/** Zeroes elements with probability p in training and scales the rest by 1/(1-p); the identity in eval.
 *  @example const drop = new nn.Dropout(0.1); // or new nn.Dropout({ p: 0.1 }) */
export class Dropout extends Module {
  /** The probability of zeroing an element (training only). */
  p: number;
  constructor(p?: number | { p?: number; inplace?: boolean }) {
    super();
    this.p = firstOrOptions<{ p?: number }, "p">("nn.Dropout", p, "p", DROPOUT_KEYS).p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) throw new Error(`Dropout: probability p must be in [0, 1], got ${this.p}`);
  }
  override forward(x: Tensor): Tensor {
    return F.dropout(x, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels with probability p in training ([N, C, H, W] or unbatched [C, H, W]) and scales
 *  the rest by 1/(1-p); the identity in eval.
 *  @example const drop = new nn.Dropout2d(0.2); // or new nn.Dropout2d({ p: 0.2 }) */
export class Dropout2d extends Module {
  /** The probability of zeroing a channel (training only). */
  p: number;
  constructor(p?: number | { p?: number; inplace?: boolean }) {
    super();
    this.p = firstOrOptions<{ p?: number }, "p">("nn.Dropout2d", p, "p", DROPOUT2D_KEYS).p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) throw new Error(`Dropout2d: probability p must be in [0, 1], got ${this.p}`);
  }
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
