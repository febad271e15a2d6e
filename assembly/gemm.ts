// Single-precision GEMM over strided operands, BLIS-style (Goto & van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", 2008): B is packed into KC x NR micro-panels that stay
// in L1, A into MR x KC micro-panels streamed from L2, and a 6 x 8 register-blocked micro-kernel
// of f32x4 multiply-adds (relaxed_madd when the module is built with relaxed SIMD) does the work.
// Operands are read in place through their element strides, so a transposed or broadcast operand
// is never materialised; packing absorbs the strides.

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 512;
const MC: i32 = 48; // multiple of MR
const NC: i32 = 1024; // multiple of NR

/** Bytes of scratch one call of sgemm needs (packed A block, packed B block, one edge tile). */
export function sgemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Packs B[k0:k0+kc, j0:j0+nc] (element strides sbk, sbn) into NR-wide panels, zero-padded. */
function packB(dst: usize, B: usize, sbk: i32, sbn: i32, k0: i32, kc: i32, j0: i32, nc: i32): void {
  // row-major B: the full panels a block of rows at a time, then the last partial panel below
  const j1 = sbn == 1 ? nc & ~(NR - 1) : 0;
  if (j1 > 0) packBRows(dst, B, sbk, k0, kc, j0, j1);
  for (let j = j1; j < nc; j += NR) {
    const w = min(NR, nc - j);
    const panel = dst + <usize>(j * kc) * 4;
    if (sbk == 1 && w == NR) {
      // B stored transposed (x W^T): each column is contiguous along k; 4x4 transposes of 8 columns
      const c0 = B + (<usize>((j0 + j) * sbn + k0) << 2);
      const cs = <usize>sbn << 2;
      const k4 = kc & ~3;
      let k = 0;
      for (; k < k4; k += 4) {
        const kb = <usize>k << 2;
        const d = panel + (<usize>(k * NR) << 2);
        for (let half = 0; half < 2; half++) {
          const base = c0 + <usize>(half * 4) * cs + kb;
          const a = v128.load(base), b = v128.load(base + cs), c = v128.load(base + 2 * cs), e = v128.load(base + 3 * cs);
          const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5), t1 = i32x4.shuffle(c, e, 0, 4, 1, 5);
          const t2 = i32x4.shuffle(a, b, 2, 6, 3, 7), t3 = i32x4.shuffle(c, e, 2, 6, 3, 7);
          const o = d + <usize>(half * 16);
          v128.store(o, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
          v128.store(o + NR * 4, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
          v128.store(o + 2 * NR * 4, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
          v128.store(o + 3 * NR * 4, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
        }
      }
      for (; k < kc; k++) {
        const d = panel + (<usize>(k * NR) << 2);
        for (let jj = 0; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(c0 + <usize>jj * cs + (<usize>k << 2)));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const d = panel + (<usize>(k * NR) << 2);
        const row = (k0 + k) * sbk + (j0 + j) * sbn;
        for (let jj = 0; jj < w; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(B + (<usize>(row + jj * sbn) << 2)));
        for (let jj = w; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), 0);
      }
    }
  }
}

/** Packs row-major B (sbn == 1) into full NR-wide panels, nc a multiple of NR: 8 rows at a time across all
 *  panels, so the rows being read stay in L1 and each panel gets 256 contiguous bytes per block. */
function packBRows(dst: usize, B: usize, sbk: i32, k0: i32, kc: i32, j0: i32, nc: i32): void {
  const rs = <usize>sbk << 2;
  for (let kb = 0; kb < kc; kb += 8) {
    const kn = min(8, kc - kb);
    const src0 = B + (<usize>((k0 + kb) * sbk + j0) << 2);
    for (let j = 0; j < nc; j += NR) {
      let s = src0 + (<usize>j << 2);
      let d = dst + (<usize>(j * kc + kb * NR) << 2);
      for (let k = 0; k < kn; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += rs;
        d += NR * 4;
      }
    }
  }
}

/** Packs A[i0:i0+mc, k0:k0+kc] (element strides sam, sak) into MR-tall panels, zero-padded. */
function packA(dst: usize, A: usize, sam: i32, sak: i32, i0: i32, mc: i32, k0: i32, kc: i32): void {
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    const panel = dst + <usize>(i * kc) * 4;
    if (sak == 1 && h == MR) {
      // six rows contiguous along k: 4 k at a time, a 4x4 transpose of rows 0-3 and a
      // 2x4 interleave of rows 4-5 give 24 packed floats in six vector stores
      const s0 = A + (<usize>((i0 + i) * sam + k0) << 2);
      const rs = <usize>sam << 2;
      const k4 = kc & ~3;
      let k = 0;
      for (; k < k4; k += 4) {
        const p = s0 + (<usize>k << 2);
        const r0 = v128.load(p), r1 = v128.load(p + rs), r2 = v128.load(p + 2 * rs);
        const r3 = v128.load(p + 3 * rs), r4 = v128.load(p + 4 * rs), r5 = v128.load(p + 5 * rs);
        const a0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), a1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const a2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), a3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const t0 = i32x4.shuffle(a0, a1, 0, 1, 4, 5), t1 = i32x4.shuffle(a0, a1, 2, 3, 6, 7);
        const t2 = i32x4.shuffle(a2, a3, 0, 1, 4, 5), t3 = i32x4.shuffle(a2, a3, 2, 3, 6, 7);
        const u = i32x4.shuffle(r4, r5, 0, 4, 1, 5), w = i32x4.shuffle(r4, r5, 2, 6, 3, 7);
        const d = panel + (<usize>(k * MR) << 2);
        v128.store(d, t0);
        v128.store(d, i32x4.shuffle(u, t1, 0, 1, 4, 5), 16);
        v128.store(d, i32x4.shuffle(t1, u, 2, 3, 6, 7), 32);
        v128.store(d, t2, 48);
        v128.store(d, i32x4.shuffle(w, t3, 0, 1, 4, 5), 64);
        v128.store(d, i32x4.shuffle(t3, w, 2, 3, 6, 7), 80);
      }
      for (; k < kc; k++) {
        const d = panel + (<usize>(k * MR) << 2);
        const p = s0 + (<usize>k << 2);
        for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), load<f32>(p + <usize>r * rs));
      }
    } else if (sak == 1) {
      // rows contiguous along k: read each row sequentially, write with stride MR
      for (let r = 0; r < h; r++) {
        const src = A + (<usize>((i0 + i + r) * sam + k0) << 2);
        let d = panel + (<usize>r << 2);
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(src + (<usize>k << 2)));
          d += MR * 4;
        }
      }
      for (let r = h; r < MR; r++) {
        let d = panel + (<usize>r << 2);
        for (let k = 0; k < kc; k++) {
          store<f32>(d, 0);
          d += MR * 4;
        }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const d = panel + (<usize>(k * MR) << 2);
        const col = (i0 + i) * sam + (k0 + k) * sak;
        for (let r = 0; r < h; r++) store<f32>(d + (<usize>r << 2), load<f32>(A + (<usize>(col + r * sam) << 2)));
        for (let r = h; r < MR; r++) store<f32>(d + (<usize>r << 2), 0);
      }
    }
  }
}

/** C[0:6, 0:8] (row stride ldc floats) = (accumulate ? C : 0) + Apanel * Bpanel over kc. */
export function micro6x8(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    pa += MR * 4;
    pb += NR * 4;
  }
  const ld = <usize>ldc << 2;
  let p = C;
  if (accumulate) {
    v128.store(p, f32x4.add(v128.load(p), c00));
    v128.store(p, f32x4.add(v128.load(p, 16), c01), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c10));
    v128.store(p, f32x4.add(v128.load(p, 16), c11), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c20));
    v128.store(p, f32x4.add(v128.load(p, 16), c21), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c30));
    v128.store(p, f32x4.add(v128.load(p, 16), c31), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c40));
    v128.store(p, f32x4.add(v128.load(p, 16), c41), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c50));
    v128.store(p, f32x4.add(v128.load(p, 16), c51), 16);
  } else {
    v128.store(p, c00);
    v128.store(p, c01, 16);
    p += ld;
    v128.store(p, c10);
    v128.store(p, c11, 16);
    p += ld;
    v128.store(p, c20);
    v128.store(p, c21, 16);
    p += ld;
    v128.store(p, c30);
    v128.store(p, c31, 16);
    p += ld;
    v128.store(p, c40);
    v128.store(p, c41, 16);
    p += ld;
    v128.store(p, c50);
    v128.store(p, c51, 16);
  }
}

/** micro6x8 for the first 4 rows of a 6-row A panel (stores 4 rows of C). */
export function micro4x8(kc: i32, pa: usize, pb: usize, C: usize, ldc: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  const ld = <usize>ldc << 2;
  let p = C;
  if (accumulate) {
    v128.store(p, f32x4.add(v128.load(p), c00));
    v128.store(p, f32x4.add(v128.load(p, 16), c01), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c10));
    v128.store(p, f32x4.add(v128.load(p, 16), c11), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c20));
    v128.store(p, f32x4.add(v128.load(p, 16), c21), 16);
    p += ld;
    v128.store(p, f32x4.add(v128.load(p), c30));
    v128.store(p, f32x4.add(v128.load(p, 16), c31), 16);
  } else {
    v128.store(p, c00);
    v128.store(p, c01, 16);
    p += ld;
    v128.store(p, c10);
    v128.store(p, c11, 16);
    p += ld;
    v128.store(p, c20);
    v128.store(p, c21, 16);
    p += ld;
    v128.store(p, c30);
    v128.store(p, c31, 16);
  }
}

/**
 * C[m0:m1, n0:n1] = A[m0:m1, :] @ B[:, n0:n1] for one matrix product; A is M x K with element
 * strides (sam, sak), B is K x N with (sbk, sbn), C has row stride ldc. All pointers are byte
 * addresses; `scratch` holds sgemmScratchBytes() bytes private to the calling thread.
 */
export function sgemm(
  A: usize, sam: i32, sak: i32, B: usize, sbk: i32, sbn: i32, C: usize, ldc: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, K: i32, scratch: usize,
): void {
  sgemmInto(A, sam, sak, B, sbk, sbn, C, ldc, m0, m1, n0, n1, K, scratch, false);
}

/** sgemm, or with `into` C += A @ B (C holds a bias or a sum already). */
function sgemmInto(
  A: usize, sam: i32, sak: i32, B: usize, sbk: i32, sbn: i32, C: usize, ldc: i32,
  m0: i32, m1: i32, n0: i32, n1: i32, K: i32, scratch: usize, into: bool,
): void {
  const pA = scratch;
  const pB = pA + <usize>(MC * KC) * 4;
  const tile = pB + <usize>(KC * NC) * 4;
  if (K == 0) {
    if (!into) for (let i = m0; i < m1; i++) memory.fill(C + (<usize>(i * ldc + n0) << 2), 0, <usize>(n1 - n0) << 2);
    return;
  }
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(pB, B, sbk, sbn, pc, kc, jc, nc);
      const acc = pc > 0 || into;
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(pA, A, sam, sak, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const w = min(NR, nc - jr);
          const pb = pB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const h = min(MR, mc - ir);
            const pa = pA + <usize>(ir * kc) * 4;
            const c = C + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (h == MR && w == NR) {
              micro6x8(kc, pa, pb, c, ldc, acc);
            } else {
              micro6x8(kc, pa, pb, tile, NR, false);
              for (let r = 0; r < h; r++)
                for (let j = 0; j < w; j++) {
                  const dst = c + (<usize>(r * ldc + j) << 2);
                  const v = load<f32>(tile + (<usize>(r * NR + j) << 2));
                  store<f32>(dst, acc ? load<f32>(dst) + v : v);
                }
            }
          }
        }
      }
    }
  }
}

/**
 * Batched form: for batches [b0, b1), element offsets of A and B per batch come from the i32
 * table `offs` (pairs aOff, bOff); C's batch b starts at C + b * cbs floats. With `into` != 0,
 * C += A @ B (C prefilled, e.g. with a bias).
 */
export function sgemmBatched(
  offs: usize, b0: i32, b1: i32, A: usize, sam: i32, sak: i32, B: usize, sbk: i32, sbn: i32,
  C: usize, cbs: i32, ldc: i32, m0: i32, m1: i32, n0: i32, n1: i32, K: i32, scratch: usize, into: i32,
): void {
  for (let b = b0; b < b1; b++) {
    const ao = load<i32>(offs + (<usize>(2 * b) << 2));
    const bo = load<i32>(offs + (<usize>(2 * b + 1) << 2));
    sgemmInto(A + (<usize>ao << 2), sam, sak, B + (<usize>bo << 2), sbk, sbn, C + (<usize>(b * cbs) << 2), ldc, m0, m1, n0, n1, K, scratch, into != 0);
  }
}
