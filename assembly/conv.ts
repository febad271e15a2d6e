// im2col for float32 convolutions: x [N, C, H, W] (any strides) -> contiguous
// [N, C, kh, kw, oh, ow] with out[n,c,i,j,y,x] = x[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw],
// 0 outside the input. Rows of work are the (n, c) pairs. Geometry comes as an i32 table:
// [N, C, H, W, sN, sC, sH, sW, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow].

import { micro4x8, micro6x8, sgemm, sgemmScratchBytes } from "./gemm";

@inline function g(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

export function im2colF32(desc: usize, X: usize, OUT: usize, r0: i32, r1: i32): void {
  const C = g(desc, 1), H = g(desc, 2), W = g(desc, 3);
  const sN = g(desc, 4), sC = g(desc, 5), sH = g(desc, 6), sW = g(desc, 7);
  const kh = g(desc, 8), kw = g(desc, 9), sh = g(desc, 10), sw = g(desc, 11);
  const ph = g(desc, 12), pw = g(desc, 13), dh = g(desc, 14), dw = g(desc, 15);
  const oh = g(desc, 16), ow = g(desc, 17);
  const plane = kh * kw * oh * ow;
  for (let r = r0; r < r1; r++) {
    const n = r / C, c = r - n * C;
    const base = X + (<usize>(n * sN + c * sC) << 2);
    let o = OUT + (<usize>(r * plane) << 2);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const xoff = j * dw - pw;
        // output columns whose input column lies in [0, W)
        let lo = xoff >= 0 ? 0 : (-xoff + sw - 1) / sw;
        let hi = W - 1 - xoff < 0 ? 0 : (W - 1 - xoff) / sw + 1;
        if (hi > ow) hi = ow;
        if (lo > hi) lo = hi;
        for (let y = 0; y < oh; y++, o += <usize>ow << 2) {
          const iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= H) {
            memory.fill(o, 0, <usize>ow << 2);
            continue;
          }
          if (lo > 0) memory.fill(o, 0, <usize>lo << 2);
          if (hi < ow) memory.fill(o + (<usize>hi << 2), 0, <usize>(ow - hi) << 2);
          const row = base + (<usize>(iy * sH) << 2);
          if (sW == 1 && sw == 1) {
            memory.copy(o + (<usize>lo << 2), row + (<usize>(lo + xoff) << 2), <usize>(hi - lo) << 2);
          } else {
            for (let xo = lo; xo < hi; xo++) store<f32>(o + (<usize>xo << 2), load<f32>(row + (<usize>((xo * sw + xoff) * sW) << 2)));
          }
        }
      }
  }
}

// ---- fused convolution ------------------------------------------------------------------------
// conv2d as GEMMs over chunks of output rows, with no round trip through JS: each work unit
// im2cols a chunk of output rows of one (image, group) into per-thread scratch and multiplies it
// with the group's weights straight into the output (bias fused). Backward: the input gradient is
// W^T @ grad per chunk folded (col2im) into the image, the weight gradient grad @ col^T summed
// into a per-thread partial that the caller adds up. Geometry comes as an i32 table:
// [0 N, 1 Cin, 2 H, 3 W, 4 sN, 5 sC, 6 sH, 7 sW (x strides), 8 kh, 9 kw, 10 sh, 11 sw, 12 ph, 13 pw,
//  14 dh, 15 dw, 16 oh, 17 ow, 18 G, 19 Cout, 20 rows per chunk, 21 chunks per image,
//  22 col bytes, 23 bias flag, 24 tmp bytes, 25 transposed weight-gradient flag].

/** im2col of output rows [y0, y1) for Cg channels from xb (byte address of x[n, c0]): row k = (c, i, j)
 *  at dst + k * ldd floats, column (y - y0) * ow + x. */
function im2colChunk(desc: usize, xb: usize, Cg: i32, y0: i32, y1: i32, dst: usize, ldd: i32): void {
  const H = g(desc, 2), W = g(desc, 3);
  const sC = g(desc, 5), sH = g(desc, 6), sW = g(desc, 7);
  const kh = g(desc, 8), kw = g(desc, 9), sh = g(desc, 10), sw = g(desc, 11);
  const ph = g(desc, 12), pw = g(desc, 13), dh = g(desc, 14), dw = g(desc, 15);
  const ow = g(desc, 17);
  const contiguous = sW == 1 && sw == 1;
  let k = 0;
  for (let c = 0; c < Cg; c++) {
    const base = xb + (<usize>(c * sC) << 2);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++, k++) {
        const xoff = j * dw - pw;
        let lo = xoff >= 0 ? 0 : (-xoff + sw - 1) / sw;
        let hi = W - 1 - xoff < 0 ? 0 : (W - 1 - xoff) / sw + 1;
        if (hi > ow) hi = ow;
        if (lo > hi) lo = hi;
        let o = dst + (<usize>(k * ldd) << 2);
        // rows are short (tens of floats): inline loops, as memory.copy/fill are calls out of wasm
        for (let y = y0; y < y1; y++, o += <usize>ow << 2) {
          const iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= H) {
            zeroF32(o, ow);
            continue;
          }
          const row = base + (<usize>(iy * sH) << 2);
          if (contiguous) {
            // whole vectors, the last one running up to 3 floats past hi: what it writes there is
            // zeroed below or belongs to a row written later (the buffers have 64 bytes of slack)
            const src = row + (<usize>xoff << 2);
            for (let xo = lo; xo < hi; xo += 4) v128.store(o + (<usize>xo << 2), v128.load(src + (<usize>xo << 2)));
          } else {
            for (let xo = lo; xo < hi; xo++) store<f32>(o + (<usize>xo << 2), load<f32>(row + (<usize>((xo * sw + xoff) * sW) << 2)));
          }
          for (let xo = 0; xo < lo; xo++) store<f32>(o + (<usize>xo << 2), 0);
          for (let xo = hi; xo < ow; xo++) store<f32>(o + (<usize>xo << 2), 0);
        }
      }
  }
}

@inline function zeroF32(p: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), 0);
}

/** col2im of output rows [y0, y1): adds row k = (c, i, j) of src (row stride lds floats) into the
 *  contiguous [Cg, H, W] planes at dxb. */
function col2imChunk(desc: usize, dxb: usize, Cg: i32, y0: i32, y1: i32, src: usize, lds: i32): void {
  const H = g(desc, 2), W = g(desc, 3);
  const kh = g(desc, 8), kw = g(desc, 9), sh = g(desc, 10), sw = g(desc, 11);
  const ph = g(desc, 12), pw = g(desc, 13), dh = g(desc, 14), dw = g(desc, 15);
  const ow = g(desc, 17);
  let k = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = dxb + (<usize>(c * H * W) << 2);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++, k++) {
        const xoff = j * dw - pw;
        let lo = xoff >= 0 ? 0 : (-xoff + sw - 1) / sw;
        let hi = W - 1 - xoff < 0 ? 0 : (W - 1 - xoff) / sw + 1;
        if (hi > ow) hi = ow;
        if (lo > hi) lo = hi;
        let o = src + (<usize>(k * lds) << 2);
        for (let y = y0; y < y1; y++, o += <usize>ow << 2) {
          const iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= H) continue;
          const row = plane + (<usize>(iy * W) << 2);
          if (sw == 1) {
            const d = row + (<usize>xoff << 2);
            let xo = lo;
            for (; xo + 4 <= hi; xo += 4) {
              const p = d + (<usize>xo << 2);
              v128.store(p, f32x4.add(v128.load(p), v128.load(o + (<usize>xo << 2))));
            }
            for (; xo < hi; xo++) {
              const p = d + (<usize>xo << 2);
              store<f32>(p, load<f32>(p) + load<f32>(o + (<usize>xo << 2)));
            }
          } else {
            for (let xo = lo; xo < hi; xo++) {
              const p = row + (<usize>(xo * sw + xoff) << 2);
              store<f32>(p, load<f32>(p) + load<f32>(o + (<usize>xo << 2)));
            }
          }
        }
      }
  }
}

/** Bytes of GEMM scratch each thread needs besides the conv buffers. */
export function convGemmScratchBytes(): i32 {
  return sgemmScratchBytes();
}

/** Forward over units [u0, u1) (unit = (n, g, chunk)): OUT [N, Cout, oh, ow] = W @ im2col(x) (+ bias).
 *  Wt: contiguous weight [Cout, Cg*kh*kw]; BIAS: [Cout] (read when the bias flag is set). */
export function conv2dF32(desc: usize, X: usize, Wt: usize, BIAS: usize, OUT: usize, u0: i32, u1: i32, scratch: usize): void {
  const Cin = g(desc, 1), sN = g(desc, 4), sC = g(desc, 5), kh = g(desc, 8), kw = g(desc, 9);
  const oh = g(desc, 16), ow = g(desc, 17), G = g(desc, 18), Cout = g(desc, 19);
  const rows = g(desc, 20), chunks = g(desc, 21), colBytes = g(desc, 22), hasBias = g(desc, 23);
  const Cg = Cin / G, Cog = Cout / G, CgK = Cg * kh * kw, L = oh * ow;
  const col = scratch, gs = scratch + <usize>colBytes;
  for (let u = u0; u < u1; u++) {
    const chunk = u % chunks, ng = u / chunks, n = ng / G, gi = ng % G;
    const y0 = chunk * rows, y1 = min(oh, y0 + rows), Lc = (y1 - y0) * ow;
    im2colChunk(desc, X + (<usize>(n * sN + gi * Cg * sC) << 2), Cg, y0, y1, col, Lc);
    const C = OUT + (<usize>((n * Cout + gi * Cog) * L + y0 * ow) << 2);
    sgemm(Wt + (<usize>(gi * Cog * CgK) << 2), CgK, 1, col, Lc, 1, C, L, 0, Cog, 0, Lc, CgK, gs);
    if (hasBias) {
      for (let o = 0; o < Cog; o++) {
        const b = load<f32>(BIAS + (<usize>(gi * Cog + o) << 2));
        const bv = f32x4.splat(b);
        const r = C + (<usize>(o * L) << 2);
        let l = 0;
        for (; l + 4 <= Lc; l += 4) v128.store(r + (<usize>l << 2), f32x4.add(v128.load(r + (<usize>l << 2)), bv));
        for (; l < Lc; l++) store<f32>(r + (<usize>l << 2), load<f32>(r + (<usize>l << 2)) + b);
      }
    }
  }
}

/** Input gradient over units [u0, u1) (unit = (n, g)): DX [N, Cin, H, W] = col2im(W^T @ GR).
 *  GR: contiguous grad [N, Cout, oh, ow]; Wt as conv2dF32. */
export function conv2dBwdInputF32(desc: usize, GR: usize, Wt: usize, DX: usize, u0: i32, u1: i32, scratch: usize): void {
  const Cin = g(desc, 1), H = g(desc, 2), W = g(desc, 3), kh = g(desc, 8), kw = g(desc, 9);
  const oh = g(desc, 16), ow = g(desc, 17), G = g(desc, 18), Cout = g(desc, 19);
  const rows = g(desc, 20), chunks = g(desc, 21), colBytes = g(desc, 22);
  const Cg = Cin / G, Cog = Cout / G, CgK = Cg * kh * kw, L = oh * ow;
  const col = scratch, gs = scratch + <usize>colBytes;
  for (let u = u0; u < u1; u++) {
    const n = u / G, gi = u % G;
    const dxb = DX + (<usize>((n * Cin + gi * Cg) * H * W) << 2);
    memory.fill(dxb, 0, <usize>(Cg * H * W) << 2);
    for (let chunk = 0; chunk < chunks; chunk++) {
      const y0 = chunk * rows, y1 = min(oh, y0 + rows), Lc = (y1 - y0) * ow;
      const Bp = GR + (<usize>((n * Cout + gi * Cog) * L + y0 * ow) << 2);
      sgemm(Wt + (<usize>(gi * Cog * CgK) << 2), 1, CgK, Bp, L, 1, col, Lc, 0, CgK, 0, Lc, Cog, gs);
      col2imChunk(desc, dxb, Cg, y0, y1, col, Lc);
    }
  }
}

/** Weight (and bias) gradient over units [u0, u1) (unit = (n, g, chunk)), added into this thread's
 *  partial sums: scratch + colBytes + gemm scratch + tmp bytes holds dW [Cout, CgK] then db [Cout]. */
/** Weight (and bias) gradient of units [u0, u1) (image, group, row chunk), added into the partial sums of
 *  the call's unit group: `part + (u0 / step) * partBytes`, so that which thread runs a group never changes
 *  the sums (the caller adds the groups' partials in order). `scratch` is the thread's working memory. */
export function conv2dBwdWeightF32(desc: usize, GR: usize, X: usize, u0: i32, u1: i32, scratch: usize, part: usize, partBytes: i32, step: i32): void {
  const Cin = g(desc, 1), sN = g(desc, 4), sC = g(desc, 5), kh = g(desc, 8), kw = g(desc, 9);
  const oh = g(desc, 16), ow = g(desc, 17), G = g(desc, 18), Cout = g(desc, 19);
  const rows = g(desc, 20), chunks = g(desc, 21), colBytes = g(desc, 22), hasBias = g(desc, 23);
  const tmpBytes = g(desc, 24), transposed = g(desc, 25);
  const Cg = Cin / G, Cog = Cout / G, CgK = Cg * kh * kw, L = oh * ow;
  const col = scratch, gs = scratch + <usize>colBytes;
  const tmp = gs + <usize>sgemmScratchBytes();
  const pdw = part + <usize>(u0 / step) * <usize>partBytes, pdb = pdw + (<usize>(Cout * CgK) << 2);
  for (let u = u0; u < u1; u++) {
    const chunk = u % chunks, ng = u / chunks, n = ng / G, gi = ng % G;
    const y0 = chunk * rows, y1 = min(oh, y0 + rows), Lc = (y1 - y0) * ow;
    im2colChunk(desc, X + (<usize>(n * sN + gi * Cg * sC) << 2), Cg, y0, y1, col, Lc);
    const Gp = GR + (<usize>((n * Cout + gi * Cog) * L + y0 * ow) << 2);
    const dw = pdw + (<usize>(gi * Cog * CgK) << 2);
    if (transposed) {
      // tmp [CgK, Cog] = col @ grad^T
      sgemm(col, Lc, 1, Gp, 1, L, tmp, Cog, 0, CgK, 0, Cog, Lc, gs);
      for (let k = 0; k < CgK; k++)
        for (let o = 0; o < Cog; o++) {
          const p = dw + (<usize>(o * CgK + k) << 2);
          store<f32>(p, load<f32>(p) + load<f32>(tmp + (<usize>(k * Cog + o) << 2)));
        }
    } else {
      // tmp [Cog, CgK] = grad @ col^T
      sgemm(Gp, L, 1, col, 1, Lc, tmp, CgK, 0, Cog, 0, CgK, Lc, gs);
      const m = Cog * CgK;
      let i = 0;
      for (; i + 4 <= m; i += 4) v128.store(dw + (<usize>i << 2), f32x4.add(v128.load(dw + (<usize>i << 2)), v128.load(tmp + (<usize>i << 2))));
      for (; i < m; i++) store<f32>(dw + (<usize>i << 2), load<f32>(dw + (<usize>i << 2)) + load<f32>(tmp + (<usize>i << 2)));
    }
    if (hasBias) {
      for (let o = 0; o < Cog; o++) {
        const r = Gp + (<usize>(o * L) << 2);
        let acc = f32x4.splat(0);
        let l = 0;
        for (; l + 4 <= Lc; l += 4) acc = f32x4.add(acc, v128.load(r + (<usize>l << 2)));
        let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
        for (; l < Lc; l++) s += load<f32>(r + (<usize>l << 2));
        const p = pdb + (<usize>(gi * Cog + o) << 2);
        store<f32>(p, load<f32>(p) + s);
      }
    }
  }
}

// ---- direct convolution (stride 1, dilation 1, one group, few input channels) -------------------
// For a first layer (Cin * kh * kw small, like 3 x 3 x 3) the general path (im2col of row chunks,
// then a GEMM that packs both operands per chunk) spends more time moving data than multiplying.
// Here each image is copied once into a zero-padded buffer; for each output row, the taps of every
// 8 output columns are copied straight into a GEMM B panel [K][8] (tap k = (c, i, j) is the 8
// floats at OFF[k] floats past the columns' corner), and the GEMM micro-kernel runs each block of 6
// output channels (weights packed once as [cout block][k][6], zero rows past Cout) over those panels,
// storing into the output (bias pre-filled) or, at the edges, into a 6 x 8 tile.

/**
 * Direct forward over images [u0, u1): OUT [N, Cout, oh, ow] (+ bias). WP: packed weights; OFF: i32
 * tap offsets in the padded image (row width Wp = ow + kw - 1, height oh + kh - 1, per channel
 * Hp * Wp floats); scratch: the padded image (+ 64 bytes), a 6 x 8 tile, one row's B panels.
 */
export function conv2dDirectF32(desc: usize, X: usize, WP: usize, OFF: usize, BIAS: usize, OUT: usize, u0: i32, u1: i32, scratch: usize): void {
  const Cin = g(desc, 1), H = g(desc, 2), W = g(desc, 3);
  const sN = g(desc, 4), sC = g(desc, 5), sH = g(desc, 6), sW = g(desc, 7);
  const kh = g(desc, 8), kw = g(desc, 9), ph = g(desc, 12), pw = g(desc, 13);
  const oh = g(desc, 16), ow = g(desc, 17), Cout = g(desc, 19), hasBias = g(desc, 23);
  const Hp = oh + kh - 1, Wp = ow + kw - 1, K = Cin * kh * kw, L = oh * ow;
  const xp = scratch;
  const tile = scratch + ((<usize>(Cin * Hp * Wp) << 2) + 64 + 63) & ~(<usize>63);
  const pb = tile + 6 * 8 * 4 + 64; // B panels of one output row: ceil(ow / 8) x K x 8 floats
  for (let n = u0; n < u1; n++) {
    // zero-padded copy of image n
    const x1 = min(Wp, pw + W); // padded columns [pw, x1) hold input columns [0, x1 - pw)
    for (let c = 0; c < Cin; c++)
      for (let yp = 0; yp < Hp; yp++) {
        const d = xp + (<usize>((c * Hp + yp) * Wp) << 2);
        const y = yp - ph;
        if (y < 0 || y >= H) {
          zeroF32(d, Wp);
          continue;
        }
        const row = X + (<usize>(n * sN + c * sC + y * sH) << 2);
        for (let xq = 0; xq < pw; xq++) store<f32>(d + (<usize>xq << 2), 0);
        if (sW == 1) {
          // whole vectors: the last may run up to 3 floats past x1 (zeroed just below; 64 bytes of slack at the end)
          for (let xq = pw; xq < x1; xq += 4) v128.store(d + (<usize>xq << 2), v128.load(row + (<usize>(xq - pw) << 2)));
        } else {
          for (let xq = pw; xq < x1; xq++) store<f32>(d + (<usize>xq << 2), load<f32>(row + (<usize>((xq - pw) * sW) << 2)));
        }
        for (let xq = x1; xq < Wp; xq++) store<f32>(d + (<usize>xq << 2), 0);
      }
    const panels = (ow + 7) >> 3;
    for (let y = 0; y < oh; y++) {
      // this output row's taps, packed as GEMM B panels [K][8] (one per 8 columns)
      const xrow = xp + (<usize>(y * Wp) << 2);
      for (let q = 0; q < panels; q++) {
        const src = xrow + (<usize>(q * 8) << 2);
        let d = pb + (<usize>(q * K * 8) << 2);
        for (let k = 0; k < K; k++, d += 32) {
          const p = src + (<usize>load<i32>(OFF + (<usize>k << 2)) << 2);
          v128.store(d, v128.load(p));
          v128.store(d, v128.load(p, 16), 16);
        }
      }
      for (let cb = 0; cb < Cout; cb += 6) {
        const rowsValid = min(6, Cout - cb);
        const wp = WP + (<usize>(cb * K) << 2);
        for (let q = 0; q < panels; q++) {
          const x0 = q * 8, colsValid = min(8, ow - x0);
          const o = OUT + (<usize>((n * Cout + cb) * L + y * ow + x0) << 2);
          // a last block of exactly 4 channels goes straight to the output too (4-row micro-kernel)
          const four = rowsValid == 4 && colsValid == 8;
          const full = (rowsValid == 6 || four) && colsValid == 8;
          const dst = full ? o : tile;
          const ld = full ? L : 8;
          if (hasBias) {
            const nr = full ? rowsValid : 6; // rows of dst: never past the block's channels in the output
            for (let r = 0; r < nr; r++) {
              const bv = r < rowsValid ? v128.load32_splat(BIAS + (<usize>(cb + r) << 2)) : f32x4.splat(0);
              const rp = dst + (<usize>(r * ld) << 2);
              v128.store(rp, bv);
              v128.store(rp, bv, 16);
            }
          }
          if (four) micro4x8(K, wp, pb + (<usize>(q * K * 8) << 2), dst, ld, hasBias != 0);
          else micro6x8(K, wp, pb + (<usize>(q * K * 8) << 2), dst, ld, hasBias != 0);
          if (!full) {
            for (let r = 0; r < rowsValid; r++)
              for (let c = 0; c < colsValid; c++) store<f32>(o + (<usize>(r * L + c) << 2), load<f32>(tile + (<usize>(r * 8 + c) << 2)));
          }
        }
      }
    }
  }
}
