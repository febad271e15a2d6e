// PyTorch-like printing: tensor([[1.0000, 2.0000], ...], dtype=float64, requiresGrad=true).

import type { Tensor } from "./tensor.js";

const EDGE = 3; // elements shown at each end of a summarised dim
const THRESHOLD = 1000; // summarise above this many elements

export function format(t: Tensor): string {
  const flat = t.dataSync();
  const summarise = flat.length > THRESHOLD;
  const isFloat = t.dtype === "float32" || t.dtype === "float64";
  let fmtNum: (v: number) => string;
  if (t.dtype === "bool") fmtNum = (v) => (v ? "true" : "false");
  else if (!isFloat) fmtNum = (v) => String(v);
  else {
    let maxAbs = 0, minAbs = Infinity, allInt = true;
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (!Number.isFinite(v)) continue;
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
      if (a !== 0 && a < minAbs) minAbs = a;
      if (!Number.isInteger(v)) allInt = false;
    }
    const sci = maxAbs >= 1e8 || (minAbs !== Infinity && (minAbs < 1e-4 || maxAbs / minAbs > 1000)) && !allInt;
    fmtNum = (v) => {
      if (Number.isNaN(v)) return "nan";
      if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
      if (sci) return v.toExponential(4);
      if (allInt) return v.toFixed(0) + ".";
      return v.toFixed(4);
    };
  }
  const strs = Array.from(flat, fmtNum);
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const shape = t.shape;
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  const indent = "tensor(".length;
  const rec = (d: number, base: number): string => {
    if (d === shape.length) return strs[base].padStart(width);
    const n = shape[d];
    const parts: string[] = [];
    const push = (i: number) => parts.push(rec(d + 1, base + i * strides[d]));
    if (summarise && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) push(i);
      parts.push("...");
      for (let i = n - EDGE; i < n; i++) push(i);
    } else for (let i = 0; i < n; i++) push(i);
    const sep = d === shape.length - 1 ? ", " : ",\n" + "\n".repeat(Math.max(0, shape.length - d - 2)) + " ".repeat(indent + d + 1);
    return "[" + parts.join(sep) + "]";
  };
  const body = shape.length === 0 ? strs[0] : rec(0, 0);
  const extras: string[] = [];
  if (flat.length === 0) extras.push(`size=[${shape.join(", ")}]`);
  if (t.dtype !== "float32" && !(t.dtype === "int32") && !(t.dtype === "bool")) extras.push(`dtype=${t.dtype}`);
  if (t.dtype === "int32" && flat.length === 0) extras.push("dtype=int32");
  if (t._node) extras.push(`gradFn=<${t._node.op}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}
