// Float32 elementwise kernels over strided views: unary ops and binary ops with broadcasting
// (stride 0). A view is described by a table in memory: [nd, shape[nd], strides[nd] (per operand)],
// elements counted in f32; the output is contiguous. Work is cut into rows of the last dim, so a
// thread can take any range [r0, r1) of rows. The inner loop is f32x4 when the last dim has stride
// 1 (or 0, broadcast); other strides gather lanes one by one.
// exp follows Cephes expf (range reduction by ln 2, degree-6 polynomial); tanh is Eigen's rational
// approximation (a 13/6 odd/even polynomial ratio, clamped at |x| = 7.9); both within a few ulp.

// unary op codes (JS side: UNARY_CODE in src/backend/wasm/index.ts)
const U_COPY = 0, U_NEG = 1, U_ABS = 2, U_EXP = 3, U_SQRT = 4, U_SQUARE = 5, U_TANH = 6, U_SIGMOID = 7;
const U_RELU = 8, U_RECIPROCAL = 9, U_CLAMP = 10, U_LEAKY_RELU = 11, U_RSQRT = 12, U_LOG = 13, U_GELU_TANH = 14;
// binary op codes
const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3, B_MAXIMUM = 4, B_MINIMUM = 5, B_POW = 6, B_RELU_BW = 7, B_GELU_TANH_BW = 8;

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** 2^n for integer lanes n in [-126, 127]. */
@inline function pow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

function expV(x0: v128): v128 {
  const hi = splat(88.72283935546875), lo = splat(-87.33654022216797);
  let x = f32x4.max(f32x4.min(x0, hi), lo);
  const fx = f32x4.nearest(f32x4.mul(x, splat(1.44269504088896341)));
  x = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, splat(-2.12194440e-4)));
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, x), x), x), splat(1));
  // scale by 2^n in two steps so n = 128 and n = -127 stay representable
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  y = f32x4.mul(f32x4.mul(y, pow2i(n1)), pow2i(i32x4.sub(n, n1)));
  // beyond the clamps: +inf and 0 (NaN passed through the polynomial already)
  y = v128.bitselect(splat(Infinity), y, f32x4.gt(x0, hi));
  y = v128.bitselect(splat(0), y, f32x4.lt(x0, lo));
  return y;
}

function tanhV(x0: v128): v128 {
  const c = splat(7.90531110763549805);
  const x = f32x4.max(f32x4.min(x0, c), f32x4.neg(c));
  const x2 = f32x4.mul(x, x);
  let p = splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = splat(1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(q, x2), splat(4.89352518554385e-3));
  const r = f32x4.div(p, q);
  // tiny |x|: tanh(x) = x to float precision (keeps -0 and denormals exact)
  return v128.bitselect(x0, r, f32x4.lt(f32x4.abs(x0), splat(0.0004)));
}

/** tanh(sqrt(2/pi) (x + 0.044715 x^3)), the inner term of GELU's tanh form. */
@inline function geluT(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(f32x4.mul(x, splat(0.7978845608028654)), f32x4.add(splat(1), f32x4.mul(x2, splat(0.044715))));
  return tanhV(u);
}

@inline function unaryV(op: i32, x: v128, p0: v128, p1: v128): v128 {
  switch (op) {
    case U_COPY: return x;
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_EXP: return expV(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_SQUARE: return f32x4.mul(x, x);
    case U_TANH: return tanhV(x);
    case U_SIGMOID: {
      // 1 / (1 + e^-x), from the side where e^-|x| <= 1: e / (1 + e) for x < 0
      const e = expV(f32x4.neg(f32x4.abs(x)));
      const pos = f32x4.div(splat(1), f32x4.add(splat(1), e));
      const neg = f32x4.div(e, f32x4.add(splat(1), e));
      return v128.bitselect(neg, pos, f32x4.lt(x, splat(0)));
    }
    case U_RELU: {
      // max(x, 0) keeping NaN
      const r = f32x4.pmax(x, splat(0));
      return v128.bitselect(x, r, f32x4.ne(x, x));
    }
    case U_RECIPROCAL: return f32x4.div(splat(1), x);
    case U_CLAMP: {
      // x < lo ? lo : x > hi ? hi : x  (NaN stays NaN)
      let r = v128.bitselect(p0, x, f32x4.lt(x, p0));
      return v128.bitselect(p1, r, f32x4.gt(r, p1));
    }
    case U_LEAKY_RELU: return v128.bitselect(x, f32x4.mul(x, p0), f32x4.gt(x, splat(0)));
    case U_RSQRT: return f32x4.div(splat(1), f32x4.sqrt(x));
    case U_GELU_TANH: return f32x4.mul(f32x4.mul(x, splat(0.5)), f32x4.add(splat(1), geluT(x)));
    case U_LOG: {
      const a = f32x4.replace_lane(splat(0), 0, Mathf.log(f32x4.extract_lane(x, 0)));
      const b = f32x4.replace_lane(a, 1, Mathf.log(f32x4.extract_lane(x, 1)));
      const c = f32x4.replace_lane(b, 2, Mathf.log(f32x4.extract_lane(x, 2)));
      return f32x4.replace_lane(c, 3, Mathf.log(f32x4.extract_lane(x, 3)));
    }
    default: return x;
  }
}

@inline function powLanes(x: v128, y: v128): v128 {
  const a = f32x4.replace_lane(splat(0), 0, Mathf.pow(f32x4.extract_lane(x, 0), f32x4.extract_lane(y, 0)));
  const b = f32x4.replace_lane(a, 1, Mathf.pow(f32x4.extract_lane(x, 1), f32x4.extract_lane(y, 1)));
  const c = f32x4.replace_lane(b, 2, Mathf.pow(f32x4.extract_lane(x, 2), f32x4.extract_lane(y, 2)));
  return f32x4.replace_lane(c, 3, Mathf.pow(f32x4.extract_lane(x, 3), f32x4.extract_lane(y, 3)));
}

@inline function binaryV(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(x, y);
    case B_SUB: return f32x4.sub(x, y);
    case B_MUL: return f32x4.mul(x, y);
    case B_DIV: return f32x4.div(x, y);
    case B_MAXIMUM: return f32x4.max(x, y);
    case B_MINIMUM: return f32x4.min(x, y);
    case B_POW: return powLanes(x, y);
    // x = gradient, y = relu's input: y <= 0 ? 0 : x (NaN input passes the gradient, as PyTorch)
    case B_RELU_BW: return v128.andnot(x, f32x4.le(y, splat(0)));
    // x = gradient, y = the input: x (0.5 (1 + t) + 0.5 y (1 - t^2) k (1 + 3 c y^2))
    case B_GELU_TANH_BW: {
      const t = geluT(y);
      const y2 = f32x4.mul(y, y);
      const dinner = f32x4.mul(splat(0.7978845608028654), f32x4.add(splat(1), f32x4.mul(y2, splat(3 * 0.044715))));
      const d = f32x4.add(f32x4.mul(splat(0.5), f32x4.add(splat(1), t)), f32x4.mul(f32x4.mul(f32x4.mul(splat(0.5), y), f32x4.sub(splat(1), f32x4.mul(t, t))), dinner));
      return f32x4.mul(x, d);
    }
    default: return x;
  }
}

/** Loads 4 lanes from p with element stride s (s == 1: one vector load; s == 0: a splat). */
@inline function loadStrided(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  if (s == 0) return v128.load32_splat(p);
  const st = <usize>s << 2;
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + st, v, 1);
  v = v128.load32_lane(p + 2 * st, v, 2);
  return v128.load32_lane(p + 3 * st, v, 3);
}

/** Element offset of row r (rows are the positions of dims 0..nd-2, row-major) for strides at desc+off. */
@inline function rowOffset(desc: usize, nd: i32, r: i32, strideBase: i32): i32 {
  let off = 0;
  for (let d = nd - 2; d >= 0; d--) {
    const size = load<i32>(desc + (<usize>(1 + d) << 2));
    const q = r / size;
    off += (r - q * size) * load<i32>(desc + (<usize>(strideBase + d) << 2));
    r = q;
  }
  return off;
}

/** out[r*inner ...] = op(x) for rows [r0, r1); desc = [nd, shape[nd], xStrides[nd]]. */
export function unaryF32(op: i32, desc: usize, X: usize, OUT: usize, r0: i32, r1: i32, p0f: f32, p1f: f32): void {
  const nd = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nd << 2));
  const sx = load<i32>(desc + (<usize>(2 * nd) << 2));
  const p0 = splat(p0f), p1 = splat(p1f);
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const xp = X + (<usize>rowOffset(desc, nd, r, 1 + nd) << 2);
    const op_ = OUT + (<usize>(r * inner) << 2);
    let j = 0;
    if (sx == 1) {
      for (; j < n4; j += 4) v128.store(op_ + (<usize>j << 2), unaryV(op, v128.load(xp + (<usize>j << 2)), p0, p1));
    } else {
      for (; j < n4; j += 4) v128.store(op_ + (<usize>j << 2), unaryV(op, loadStrided(xp + (<usize>(j * sx) << 2), sx), p0, p1));
    }
    for (; j < inner; j++) {
      const v = unaryV(op, v128.load32_splat(xp + (<usize>(j * sx) << 2)), p0, p1);
      store<f32>(op_ + (<usize>j << 2), f32x4.extract_lane(v, 0));
    }
  }
}

/** out = op(a, b) for rows [r0, r1); desc = [nd, shape[nd], aStrides[nd], bStrides[nd]]. */
export function binaryF32(op: i32, desc: usize, A: usize, B: usize, OUT: usize, r0: i32, r1: i32): void {
  const nd = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nd << 2));
  const sa = load<i32>(desc + (<usize>(2 * nd) << 2));
  const sb = load<i32>(desc + (<usize>(3 * nd) << 2));
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const ap = A + (<usize>rowOffset(desc, nd, r, 1 + nd) << 2);
    const bp = B + (<usize>rowOffset(desc, nd, r, 1 + 2 * nd) << 2);
    const op_ = OUT + (<usize>(r * inner) << 2);
    let j = 0;
    if (sa == 1 && sb == 1) {
      for (; j < n4; j += 4) v128.store(op_ + (<usize>j << 2), binaryV(op, v128.load(ap + (<usize>j << 2)), v128.load(bp + (<usize>j << 2))));
    } else if (sa == 1 && sb == 0) {
      const y = v128.load32_splat(bp);
      if (op == B_POW && f32x4.extract_lane(y, 0) == 2) {
        for (; j < n4; j += 4) {
          const x = v128.load(ap + (<usize>j << 2));
          v128.store(op_ + (<usize>j << 2), f32x4.mul(x, x));
        }
      } else if (op == B_POW && f32x4.extract_lane(y, 0) == 3) {
        for (; j < n4; j += 4) {
          const x = v128.load(ap + (<usize>j << 2));
          v128.store(op_ + (<usize>j << 2), f32x4.mul(f32x4.mul(x, x), x));
        }
      } else {
        for (; j < n4; j += 4) v128.store(op_ + (<usize>j << 2), binaryV(op, v128.load(ap + (<usize>j << 2)), y));
      }
    } else {
      for (; j < n4; j += 4)
        v128.store(op_ + (<usize>j << 2), binaryV(op, loadStrided(ap + (<usize>(j * sa) << 2), sa), loadStrided(bp + (<usize>(j * sb) << 2), sb)));
    }
    for (; j < inner; j++) {
      const v = binaryV(op, v128.load32_splat(ap + (<usize>(j * sa) << 2)), v128.load32_splat(bp + (<usize>(j * sb) << 2)));
      store<f32>(op_ + (<usize>j << 2), f32x4.extract_lane(v, 0));
    }
  }
}

/** out = cond ? a : b for rows [r0, r1); cond is bytes (bool); desc = [nd, shape, cStrides, aStrides, bStrides]. */
export function whereF32(desc: usize, Cd: usize, A: usize, B: usize, OUT: usize, r0: i32, r1: i32): void {
  const nd = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nd << 2));
  const sc = load<i32>(desc + (<usize>(2 * nd) << 2));
  const sa = load<i32>(desc + (<usize>(3 * nd) << 2));
  const sb = load<i32>(desc + (<usize>(4 * nd) << 2));
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const cp = Cd + <usize>rowOffset(desc, nd, r, 1 + nd);
    const ap = A + (<usize>rowOffset(desc, nd, r, 1 + 2 * nd) << 2);
    const bp = B + (<usize>rowOffset(desc, nd, r, 1 + 3 * nd) << 2);
    const op_ = OUT + (<usize>(r * inner) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      let c: v128;
      if (sc == 1) {
        c = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(cp + <usize>j)));
      } else {
        c = i32x4.splat(<i32>load<u8>(cp + <usize>(j * sc)));
        c = i32x4.replace_lane(c, 1, <i32>load<u8>(cp + <usize>((j + 1) * sc)));
        c = i32x4.replace_lane(c, 2, <i32>load<u8>(cp + <usize>((j + 2) * sc)));
        c = i32x4.replace_lane(c, 3, <i32>load<u8>(cp + <usize>((j + 3) * sc)));
      }
      const m = i32x4.ne(c, i32x4.splat(0));
      const a = loadStrided(ap + (<usize>(j * sa) << 2), sa), b = loadStrided(bp + (<usize>(j * sb) << 2), sb);
      v128.store(op_ + (<usize>j << 2), v128.bitselect(a, b, m));
    }
    for (; j < inner; j++) {
      const c = load<u8>(cp + <usize>(j * sc));
      store<f32>(op_ + (<usize>j << 2), c ? load<f32>(ap + (<usize>(j * sa) << 2)) : load<f32>(bp + (<usize>(j * sb) << 2)));
    }
  }
}

// ---- softmax over the last dim ------------------------------------------------------------------
// Rows are the positions of dims 0..nd-2 (desc as unaryF32's, the last dim uncollapsed); out is
// contiguous. logMode: log-softmax. Sums are taken in f64.

@inline function maxS(a: f32, x: f32): f32 {
  return x > a || x != x ? x : a;
}

/** out = softmax(x) (or logSoftmax) along the last dim for rows [r0, r1); desc = [nd, shape[nd], xStrides[nd]]. */
export function softmaxF32(desc: usize, X: usize, OUT: usize, r0: i32, r1: i32, logMode: i32): void {
  const nd = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nd << 2));
  const sx = load<i32>(desc + (<usize>(2 * nd) << 2));
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const xp = X + (<usize>rowOffset(desc, nd, r, 1 + nd) << 2);
    const op_ = OUT + (<usize>(r * inner) << 2);
    // gather the row into out (contiguous), taking its max
    let mv = f32x4.splat(-Infinity);
    let m: f32 = -Infinity;
    let j = 0;
    for (; j < n4; j += 4) {
      const v = loadStrided(xp + (<usize>(j * sx) << 2), sx);
      v128.store(op_ + (<usize>j << 2), v);
      mv = f32x4.max(mv, v);
    }
    for (; j < inner; j++) {
      const v = load<f32>(xp + (<usize>(j * sx) << 2));
      store<f32>(op_ + (<usize>j << 2), v);
      m = maxS(m, v);
    }
    m = maxS(m, f32x4.extract_lane(mv, 0));
    m = maxS(m, f32x4.extract_lane(mv, 1));
    m = maxS(m, f32x4.extract_lane(mv, 2));
    m = maxS(m, f32x4.extract_lane(mv, 3));
    const ms = splat(m);
    // e = exp(x - max), summed in f64
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let s: f64 = 0;
    j = 0;
    for (; j < n4; j += 4) {
      const p = op_ + (<usize>j << 2);
      const e = expV(f32x4.sub(v128.load(p), ms));
      if (!logMode) v128.store(p, e);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(e));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
    }
    for (; j < inner; j++) {
      const p = op_ + (<usize>j << 2);
      const e = f32x4.extract_lane(expV(f32x4.sub(v128.load32_splat(p), ms)), 0);
      if (!logMode) store<f32>(p, e);
      s += <f64>e;
    }
    const t2 = f64x2.add(lo, hi);
    s += f64x2.extract_lane(t2, 0) + f64x2.extract_lane(t2, 1);
    j = 0;
    if (logMode) {
      // (x - max) - log(sum)
      const ls = splat(<f32>Math.log(s));
      for (; j < n4; j += 4) {
        const p = op_ + (<usize>j << 2);
        v128.store(p, f32x4.sub(f32x4.sub(v128.load(p), ms), ls));
      }
      for (; j < inner; j++) {
        const p = op_ + (<usize>j << 2);
        store<f32>(p, load<f32>(p) - m - <f32>Math.log(s));
      }
    } else {
      const sv = splat(<f32>s);
      for (; j < n4; j += 4) {
        const p = op_ + (<usize>j << 2);
        v128.store(p, f32x4.div(v128.load(p), sv));
      }
      for (; j < inner; j++) {
        const p = op_ + (<usize>j << 2);
        store<f32>(p, load<f32>(p) / <f32>s);
      }
    }
  }
}

/** Gradient of softmaxF32 for rows [r0, r1): softmax dx = y (g - sum(g y)); log dx = g - exp(y) sum(g).
 *  desc = [nd, shape[nd], gStrides[nd], yStrides[nd]]; out contiguous. */
export function softmaxBackwardF32(desc: usize, G: usize, Y: usize, OUT: usize, r0: i32, r1: i32, logMode: i32): void {
  const nd = load<i32>(desc);
  const inner = load<i32>(desc + (<usize>nd << 2));
  const sg = load<i32>(desc + (<usize>(2 * nd) << 2));
  const sy = load<i32>(desc + (<usize>(3 * nd) << 2));
  const n4 = inner & ~3;
  for (let r = r0; r < r1; r++) {
    const gp = G + (<usize>rowOffset(desc, nd, r, 1 + nd) << 2);
    const yp = Y + (<usize>rowOffset(desc, nd, r, 1 + 2 * nd) << 2);
    const op_ = OUT + (<usize>(r * inner) << 2);
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let s: f64 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      const g = loadStrided(gp + (<usize>(j * sg) << 2), sg);
      const t = logMode ? g : f32x4.mul(g, loadStrided(yp + (<usize>(j * sy) << 2), sy));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(t));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(t, t, 2, 3, 0, 1)));
    }
    for (; j < inner; j++) {
      const g = load<f32>(gp + (<usize>(j * sg) << 2));
      s += <f64>(logMode ? g : g * load<f32>(yp + (<usize>(j * sy) << 2)));
    }
    const t2 = f64x2.add(lo, hi);
    s += f64x2.extract_lane(t2, 0) + f64x2.extract_lane(t2, 1);
    const sv = splat(<f32>s);
    j = 0;
    for (; j < n4; j += 4) {
      const g = loadStrided(gp + (<usize>(j * sg) << 2), sg);
      const y = loadStrided(yp + (<usize>(j * sy) << 2), sy);
      v128.store(op_ + (<usize>j << 2), logMode ? f32x4.sub(g, f32x4.mul(expV(y), sv)) : f32x4.mul(y, f32x4.sub(g, sv)));
    }
    for (; j < inner; j++) {
      const g = v128.load32_splat(gp + (<usize>(j * sg) << 2));
      const y = v128.load32_splat(yp + (<usize>(j * sy) << 2));
      const v = logMode ? f32x4.sub(g, f32x4.mul(expV(y), sv)) : f32x4.mul(y, f32x4.sub(g, sv));
      store<f32>(op_ + (<usize>j << 2), f32x4.extract_lane(v, 0));
    }
  }
}

// ---- LSTM cells (F.lstm) ------------------------------------------------------------------------
// Gate order i, f, g, o; rows n in [r0, r1) of N; H features. PRE/ACT rows of 4H floats, state rows of H.

@inline function sigmoidV(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), expV(f32x4.neg(x))));
}

/** Forward step: ACT = (sigma, sigma, tanh, sigma)(PRE) in place; C = f CP + i g; HO = o tanh(C). */
export function lstmCellF32(P: usize, CP: usize, HO: usize, CO: usize, H: i32, r0: i32, r1: i32): void {
  for (let n = r0; n < r1; n++) {
    const pr = P + (<usize>(n * 4 * H) << 2), sr = <usize>(n * H) << 2;
    const h4 = <usize>H << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const i = sigmoidV(v128.load(pr + o4)), f = sigmoidV(v128.load(pr + h4 + o4));
      const g = tanhV(v128.load(pr + 2 * h4 + o4)), o = sigmoidV(v128.load(pr + 3 * h4 + o4));
      v128.store(pr + o4, i);
      v128.store(pr + h4 + o4, f);
      v128.store(pr + 2 * h4 + o4, g);
      v128.store(pr + 3 * h4 + o4, o);
      const c = f32x4.add(f32x4.mul(f, v128.load(CP + sr + o4)), f32x4.mul(i, g));
      v128.store(CO + sr + o4, c);
      v128.store(HO + sr + o4, f32x4.mul(o, tanhV(c)));
    }
    for (; j < H; j++) {
      const o4 = <usize>j << 2;
      const i = f32x4.extract_lane(sigmoidV(f32x4.splat(load<f32>(pr + o4))), 0);
      const f = f32x4.extract_lane(sigmoidV(f32x4.splat(load<f32>(pr + h4 + o4))), 0);
      const g = f32x4.extract_lane(tanhV(f32x4.splat(load<f32>(pr + 2 * h4 + o4))), 0);
      const o = f32x4.extract_lane(sigmoidV(f32x4.splat(load<f32>(pr + 3 * h4 + o4))), 0);
      store<f32>(pr + o4, i);
      store<f32>(pr + h4 + o4, f);
      store<f32>(pr + 2 * h4 + o4, g);
      store<f32>(pr + 3 * h4 + o4, o);
      const c = f * load<f32>(CP + sr + o4) + i * g;
      store<f32>(CO + sr + o4, c);
      store<f32>(HO + sr + o4, o * f32x4.extract_lane(tanhV(f32x4.splat(c)), 0));
    }
  }
}

/** Backward step: from the gradients GH, GC of this step's h and c, DH (from later steps, read) and
 *  DC (in and out), the gate pre-activation gradients DG (rows of 4H) and DC for the previous step. */
export function lstmCellBackwardF32(GH: usize, GC: usize, A: usize, C: usize, CP: usize, DH: usize, DC: usize, DG: usize, H: i32, r0: i32, r1: i32): void {
  const one = splat(1);
  for (let n = r0; n < r1; n++) {
    const ar = <usize>(n * 4 * H) << 2, sr = <usize>(n * H) << 2;
    const h4 = <usize>H << 2;
    for (let j = 0; j < H; j += 4) {
      // H % 4 == 0 (the caller runs other sizes in JS)
      const o4 = <usize>j << 2;
      const i = v128.load(A + ar + o4), f = v128.load(A + ar + h4 + o4), g = v128.load(A + ar + 2 * h4 + o4), o = v128.load(A + ar + 3 * h4 + o4);
      const dht = f32x4.add(v128.load(GH + sr + o4), v128.load(DH + sr + o4));
      const tc = tanhV(v128.load(C + sr + o4));
      const dct = f32x4.add(f32x4.add(v128.load(DC + sr + o4), v128.load(GC + sr + o4)), f32x4.mul(f32x4.mul(dht, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(DG + ar + o4, f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(DG + ar + h4 + o4, f32x4.mul(f32x4.mul(dct, v128.load(CP + sr + o4)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(DG + ar + 2 * h4 + o4, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(DG + ar + 3 * h4 + o4, f32x4.mul(f32x4.mul(dht, tc), f32x4.mul(o, f32x4.sub(one, o))));
      v128.store(DC + sr + o4, f32x4.mul(dct, f));
    }
  }
}

// ---- optimizer updates -------------------------------------------------------------------------

/** Adam / AdamW over elements [i0, i1), in place (optim/adam.ts has the same formula in JS):
 *  p' = p * decay; g' = sign * g + l2 * p'; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
 *  with amsgrad vmax = max(vmax, v) (NaN sticks) and s = vmax, else s = v;
 *  p = p' - stepSize * m / (sqrt(s) / bc2Sqrt + eps). */
export function adamF32(
  X: usize, G: usize, M: usize, V: usize, VMAX: usize, amsgrad: i32,
  beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2Sqrt: f32, decay: f32, l2: f32, sign: f32, i0: i32, i1: i32,
): void {
  const b1 = splat(beta1), b2 = splat(beta2), c1 = splat(<f32>1 - beta1), c2 = splat(<f32>1 - beta2);
  const ve = splat(eps), vs = splat(-stepSize), vbc = splat(bc2Sqrt), vd = splat(decay), vl2 = splat(l2), vsign = splat(sign);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const p = f32x4.mul(v128.load(X + o), vd);
    const g = f32x4.add(f32x4.mul(vsign, v128.load(G + o)), f32x4.mul(vl2, p));
    const m = f32x4.add(f32x4.mul(v128.load(M + o), b1), f32x4.mul(c1, g));
    const v = f32x4.add(f32x4.mul(v128.load(V + o), b2), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(M + o, m);
    v128.store(V + o, v);
    let s = v;
    if (amsgrad) {
      const old = v128.load(VMAX + o);
      s = v128.bitselect(v, old, v128.or(f32x4.gt(v, old), f32x4.ne(v, v)));
      v128.store(VMAX + o, s);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(s), vbc), ve);
    v128.store(X + o, f32x4.add(p, f32x4.div(f32x4.mul(vs, m), denom)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(X + o) * decay;
    const g = sign * load<f32>(G + o) + l2 * p;
    const m = load<f32>(M + o) * beta1 + (<f32>1 - beta1) * g;
    const v = load<f32>(V + o) * beta2 + (<f32>1 - beta2) * g * g;
    store<f32>(M + o, m);
    store<f32>(V + o, v);
    let s = v;
    if (amsgrad) {
      const old = load<f32>(VMAX + o);
      if (!(s > old || s != s)) s = old;
      store<f32>(VMAX + o, s);
    }
    store<f32>(X + o, p + (-stepSize * m) / (Mathf.sqrt(s) / bc2Sqrt + eps));
  }
}
