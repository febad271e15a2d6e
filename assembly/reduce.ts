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

// ---- layerNorm over rows of [M, D] with contiguous rows (row stride in floats) --------------------
// Means and variances in f64, as the reference backend; y in f32.

@inline function sumLanes(lo: v128, hi: v128): f64 {
  const t = f64x2.add(lo, hi);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** y = (x - mean) rstd (* w) (+ b) for rows [r0, r1); mean and rstd [M] written too. */
export function layerNormF32(
  X: usize, sM: i32, D: i32, W: usize, Bb: usize, hasW: i32, hasB: i32, eps: f64,
  Y: usize, MEAN: usize, RSTD: usize, r0: i32, r1: i32,
): void {
  const n4 = D & ~3;
  for (let m = r0; m < r1; m++) {
    const xp = X + (<usize>(m * sM) << 2);
    const yp = Y + (<usize>(m * D) << 2);
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let s: f64 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      const v = v128.load(xp + (<usize>j << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    for (; j < D; j++) s += <f64>load<f32>(xp + (<usize>j << 2));
    const mu = (s + sumLanes(lo, hi)) / <f64>D;
    const muv = f64x2.splat(mu);
    lo = f64x2.splat(0);
    hi = f64x2.splat(0);
    let ss: f64 = 0;
    j = 0;
    for (; j < n4; j += 4) {
      const v = v128.load(xp + (<usize>j << 2));
      const a = f64x2.sub(f64x2.promote_low_f32x4(v), muv);
      const b = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), muv);
      lo = f64x2.add(lo, f64x2.mul(a, a));
      hi = f64x2.add(hi, f64x2.mul(b, b));
    }
    for (; j < D; j++) {
      const c = <f64>load<f32>(xp + (<usize>j << 2)) - mu;
      ss += c * c;
    }
    const r = 1 / Math.sqrt((ss + sumLanes(lo, hi)) / <f64>D + eps);
    const muf = f32x4.splat(<f32>mu), rf = f32x4.splat(<f32>r);
    j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      let t = f32x4.mul(f32x4.sub(v128.load(xp + o), muf), rf);
      if (hasW) t = f32x4.mul(t, v128.load(W + o));
      if (hasB) t = f32x4.add(t, v128.load(Bb + o));
      v128.store(yp + o, t);
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      let t = (load<f32>(xp + o) - <f32>mu) * <f32>r;
      if (hasW) t *= load<f32>(W + o);
      if (hasB) t += load<f32>(Bb + o);
      store<f32>(yp + o, t);
    }
    store<f32>(MEAN + (<usize>m << 2), <f32>mu);
    store<f32>(RSTD + (<usize>m << 2), <f32>r);
  }
}

/** Gradients of layerNormF32 for rows [r0, r1): dx [M, D] (contiguous) and, added into the f64 arrays
 *  DW, DB [D], sum_rows(g xhat) and sum_rows(g). */
export function layerNormBackwardF32(
  G: usize, sgM: i32, X: usize, sxM: i32, MEAN: usize, RSTD: usize, W: usize, hasW: i32, D: i32,
  DX: usize, DW: usize, DB: usize, r0: i32, r1: i32,
): void {
  const n4 = D & ~3;
  for (let m = r0; m < r1; m++) {
    const gp = G + (<usize>(m * sgM) << 2), xp = X + (<usize>(m * sxM) << 2), dp = DX + (<usize>(m * D) << 2);
    const mu = load<f32>(MEAN + (<usize>m << 2)), r = load<f32>(RSTD + (<usize>m << 2));
    const muf = f32x4.splat(mu), rf = f32x4.splat(r);
    let slo = f64x2.splat(0), shi = f64x2.splat(0), hlo = f64x2.splat(0), hhi = f64x2.splat(0);
    let sg: f64 = 0, sgh: f64 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      const g = v128.load(gp + o);
      const h = f32x4.mul(f32x4.sub(v128.load(xp + o), muf), rf);
      const gh = f32x4.mul(g, h);
      const d8 = DW + (<usize>j << 3), b8 = DB + (<usize>j << 3);
      v128.store(d8, f64x2.add(v128.load(d8), f64x2.promote_low_f32x4(gh)));
      v128.store(d8, f64x2.add(v128.load(d8, 16), f64x2.promote_low_f32x4(i32x4.shuffle(gh, gh, 2, 3, 0, 1))), 16);
      v128.store(b8, f64x2.add(v128.load(b8), f64x2.promote_low_f32x4(g)));
      v128.store(b8, f64x2.add(v128.load(b8, 16), f64x2.promote_low_f32x4(i32x4.shuffle(g, g, 2, 3, 0, 1))), 16);
      const gw = hasW ? f32x4.mul(g, v128.load(W + o)) : g;
      const gwh = f32x4.mul(gw, h);
      slo = f64x2.add(slo, f64x2.promote_low_f32x4(gw));
      shi = f64x2.add(shi, f64x2.promote_low_f32x4(i32x4.shuffle(gw, gw, 2, 3, 0, 1)));
      hlo = f64x2.add(hlo, f64x2.promote_low_f32x4(gwh));
      hhi = f64x2.add(hhi, f64x2.promote_low_f32x4(i32x4.shuffle(gwh, gwh, 2, 3, 0, 1)));
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      const g = load<f32>(gp + o);
      const h = (load<f32>(xp + o) - mu) * r;
      const d8 = DW + (<usize>j << 3), b8 = DB + (<usize>j << 3);
      store<f64>(d8, load<f64>(d8) + <f64>(g * h));
      store<f64>(b8, load<f64>(b8) + <f64>g);
      const gw = hasW ? g * load<f32>(W + o) : g;
      sg += <f64>gw;
      sgh += <f64>(gw * h);
    }
    const mg = <f32>((sg + sumLanes(slo, shi)) / <f64>D), mgh = <f32>((sgh + sumLanes(hlo, hhi)) / <f64>D);
    const mgv = f32x4.splat(mg), mghv = f32x4.splat(mgh);
    j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      const g = v128.load(gp + o);
      const h = f32x4.mul(f32x4.sub(v128.load(xp + o), muf), rf);
      const gw = hasW ? f32x4.mul(g, v128.load(W + o)) : g;
      v128.store(dp + o, f32x4.mul(rf, f32x4.sub(f32x4.sub(gw, mgv), f32x4.mul(h, mghv))));
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      const g = load<f32>(gp + o);
      const h = (load<f32>(xp + o) - mu) * r;
      const gw = hasW ? g * load<f32>(W + o) : g;
      store<f32>(dp + o, r * (gw - mg - h * mgh));
    }
  }
}

/**
 * Column sums: out[j] = sum over t of X[red[t] + j] for columns [c0, c1) (a sum over the leading
 * dims of a view whose kept dims are one contiguous run, as bias gradients are). Rows are streamed
 * in order into f64 accumulators at ACC (per thread, 8 * (c1 - c0) bytes), not walked column by
 * column down the matrix.
 */
export function sumColumnsF32(X: usize, red: usize, nred: i32, OUT: usize, ACC: usize, c0: i32, c1: i32): void {
  const w = c1 - c0, w4 = w & ~3;
  memory.fill(ACC, 0, <usize>w << 3);
  for (let t = 0; t < nred; t++) {
    const p = X + (<usize>(load<i32>(red + (<usize>t << 2)) + c0) << 2);
    let j = 0;
    for (; j < w4; j += 4) {
      const v = v128.load(p + (<usize>j << 2));
      const a = ACC + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
    }
    for (; j < w; j++) {
      const a = ACC + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(p + (<usize>j << 2)));
    }
  }
  for (let j = 0; j < w; j++) store<f32>(OUT + (<usize>(c0 + j) << 2), <f32>load<f64>(ACC + (<usize>j << 3)));
}
