// Float32 reductions (sum, max, min) over any set of axes of a strided view. The kept dims form
// the output (contiguous); the reduced positions come as a table of element offsets built by the
// caller. Two layouts are vectorised: "vertical" when the innermost kept dim has stride 1 (four
// outputs advance together, as bias gradients and sums over the batch need) and "horizontal" when
// the innermost reduced dim has stride 1 (row sums, as softmax needs). Sums accumulate in f64, as
// the reference backend does, so long sums keep their precision.

const R_SUM = 0, R_MAX = 1, R_MIN = 2;

@inline function initV(op: i32): v128 {
  return op == R_SUM ? f32x4.splat(0) : op == R_MAX ? f32x4.splat(-Infinity) : f32x4.splat(Infinity);
}
@inline function combine(op: i32, a: v128, x: v128): v128 {
  return op == R_MAX ? f32x4.max(a, x) : f32x4.min(a, x);
}
@inline function combineS(op: i32, a: f32, x: f32): f32 {
  if (op == R_MAX) return x > a || x != x ? x : a;
  return x < a || x != x ? x : a;
}

/** Element offset of output row r over the kept dims 0..nk-2 (desc: [nk, shape[nk], strides[nk]]). */
@inline function keptOffset(desc: usize, nk: i32, r: i32, skipLast: bool): i32 {
  let off = 0;
  for (let d = nk - (skipLast ? 2 : 1); d >= 0; d--) {
    const size = load<i32>(desc + (<usize>(1 + d) << 2));
    const q = r / size;
    off += (r - q * size) * load<i32>(desc + (<usize>(1 + nk + d) << 2));
    r = q;
  }
  return off;
}

/**
 * Vertical: outputs are rows [r0, r1) of length `inner` (the innermost kept dim, stride 1);
 * out[r*inner + j] = op over t of X[keptOffset(r) + red[t] + j].
 */
export function reduceVerticalF32(op: i32, desc: usize, X: usize, red: usize, nred: i32, OUT: usize, r0: i32, r1: i32): void {
  const nk = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nk << 2));
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const base = X + (<usize>keptOffset(desc, nk, r, true) << 2);
    const o = OUT + (<usize>(r * inner) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const p = base + (<usize>j << 2);
      if (op == R_SUM) {
        let lo = f64x2.splat(0), hi = f64x2.splat(0);
        for (let t = 0; t < nred; t++) {
          const v = v128.load(p + (<usize>load<i32>(red + (<usize>t << 2)) << 2));
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        }
        const lo32 = f32x4.demote_f64x2_zero(lo), hi32 = f32x4.demote_f64x2_zero(hi);
        v128.store(o + (<usize>j << 2), i32x4.shuffle(lo32, hi32, 0, 1, 4, 5));
      } else {
        let a = initV(op);
        for (let t = 0; t < nred; t++) a = combine(op, a, v128.load(p + (<usize>load<i32>(red + (<usize>t << 2)) << 2)));
        v128.store(o + (<usize>j << 2), a);
      }
    }
    for (; j < inner; j++) {
      const p = base + (<usize>j << 2);
      if (op == R_SUM) {
        let s: f64 = 0;
        for (let t = 0; t < nred; t++) s += <f64>load<f32>(p + (<usize>load<i32>(red + (<usize>t << 2)) << 2));
        store<f32>(o + (<usize>j << 2), <f32>s);
      } else {
        let a: f32 = op == R_MAX ? -Infinity : Infinity;
        for (let t = 0; t < nred; t++) a = combineS(op, a, load<f32>(p + (<usize>load<i32>(red + (<usize>t << 2)) << 2)));
        store<f32>(o + (<usize>j << 2), a);
      }
    }
  }
}

/**
 * Horizontal: one output per kept position o in [r0, r1) (all kept dims); the reduced positions are
 * red[t] + k for k < len (the innermost reduced dim, stride 1).
 */
export function reduceHorizontalF32(op: i32, desc: usize, X: usize, red: usize, nred: i32, len: i32, OUT: usize, r0: i32, r1: i32): void {
  const nk = load<i32>(desc);
  const n4 = len & ~3;
  for (let r = r0; r < r1; r++) {
    const base = X + (<usize>keptOffset(desc, nk, r, false) << 2);
    if (op == R_SUM) {
      let lo = f64x2.splat(0), hi = f64x2.splat(0);
      let s: f64 = 0;
      for (let t = 0; t < nred; t++) {
        const p = base + (<usize>load<i32>(red + (<usize>t << 2)) << 2);
        let k = 0;
        for (; k < n4; k += 4) {
          const v = v128.load(p + (<usize>k << 2));
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        }
        for (; k < len; k++) s += <f64>load<f32>(p + (<usize>k << 2));
      }
      const t2 = f64x2.add(lo, hi);
      s += f64x2.extract_lane(t2, 0) + f64x2.extract_lane(t2, 1);
      store<f32>(OUT + (<usize>r << 2), <f32>s);
    } else {
      let a = initV(op);
      let sa: f32 = op == R_MAX ? -Infinity : Infinity;
      for (let t = 0; t < nred; t++) {
        const p = base + (<usize>load<i32>(red + (<usize>t << 2)) << 2);
        let k = 0;
        for (; k < n4; k += 4) a = combine(op, a, v128.load(p + (<usize>k << 2)));
        for (; k < len; k++) sa = combineS(op, sa, load<f32>(p + (<usize>k << 2)));
      }
      sa = combineS(op, sa, f32x4.extract_lane(a, 0));
      sa = combineS(op, sa, f32x4.extract_lane(a, 1));
      sa = combineS(op, sa, f32x4.extract_lane(a, 2));
      sa = combineS(op, sa, f32x4.extract_lane(a, 3));
      store<f32>(OUT + (<usize>r << 2), sa);
    }
  }
}
