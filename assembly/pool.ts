// Pooling kernels for float32 over (n, c) planes [r0, r1). Windows come as i32 tables per output
// row (hStart, hCount) and column (wStart, wCount), as PoolWindows; taps outside the input are
// skipped. Geometry: i32 table [N, C, H, W, sN, sC, sH, sW, oh, ow, dh, dw].

@inline function gp(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}
@inline function ti(t: usize, i: i32): i32 {
  return load<i32>(t + (<usize>i << 2));
}

/** Max over each window -> values and flat (h*W + w) indices; NaN wins (the last NaN seen). */
export function maxPool2dF32(desc: usize, X: usize, HS: usize, HC: usize, WS: usize, WC: usize, OUTV: usize, OUTI: usize, r0: i32, r1: i32): void {
  const C = gp(desc, 1), H = gp(desc, 2), W = gp(desc, 3), sN = gp(desc, 4), sC = gp(desc, 5), sH = gp(desc, 6), sW = gp(desc, 7);
  const oh = gp(desc, 8), ow = gp(desc, 9), dh = gp(desc, 10), dw = gp(desc, 11);
  for (let r = r0; r < r1; r++) {
    const n = r / C, c = r - n * C;
    const base = X + (<usize>(n * sN + c * sC) << 2);
    let o = r * oh * ow;
    for (let y = 0; y < oh; y++) {
      const hs = ti(HS, y), hc = ti(HC, y);
      let xo = 0;
      // four output columns at a time, branch-free with lane masks (compare-and-branch code
      // mispredicts on real activations)
      if (hc > 0)
        for (; xo + 4 <= ow; xo += 4, o += 4) {
          const wsv = v128.load(WS + (<usize>xo << 2)), wcv = v128.load(WC + (<usize>xo << 2));
          const wmax = max(max(ti(WC, xo), ti(WC, xo + 1)), max(ti(WC, xo + 2), ti(WC, xo + 3)));
          let best = f32x4.splat(-Infinity), bi = i32x4.splat(-1);
          // the four windows side by side inside the row, taps 1 apart, windows 1 or 2 apart: plain loads
          const ws0 = ti(WS, xo), step = ti(WS, xo + 1) - ws0;
          const fast = sW == 1 && dw == 1 && (step == 1 || step == 2) && ws0 >= 0 && ws0 + 3 * step + wmax <= W &&
            ti(WS, xo + 2) == ws0 + 2 * step && ti(WS, xo + 3) == ws0 + 3 * step &&
            ti(WC, xo) == wmax && ti(WC, xo + 1) == wmax && ti(WC, xo + 2) == wmax && ti(WC, xo + 3) == wmax;
          for (let t = 0; t < hc; t++) {
            const iy = hs + t * dh;
            if (iy < 0 || iy >= H) continue;
            const row = base + (<usize>(iy * sH) << 2);
            const rowIdx = i32x4.splat(iy * W);
            if (fast) {
              for (let u = 0; u < wmax; u++) {
                const p = row + (<usize>(ws0 + u) << 2);
                let v = v128.load(p);
                if (step == 2) v = v128.shuffle<f32>(v, v128.load(p, 16), 0, 2, 4, 6);
                const take = v128.or(v128.or(i32x4.lt_s(bi, i32x4.splat(0)), f32x4.gt(v, best)), f32x4.ne(v, v));
                best = v128.bitselect(v, best, take);
                bi = v128.bitselect(i32x4.add(rowIdx, i32x4.add(wsv, i32x4.splat(u))), bi, take);
              }
              continue;
            }
            for (let u = 0; u < wmax; u++) {
              const ixv = i32x4.add(wsv, i32x4.splat(u * dw));
              const valid = v128.and(v128.and(i32x4.gt_s(wcv, i32x4.splat(u)), i32x4.ge_s(ixv, i32x4.splat(0))), i32x4.lt_s(ixv, i32x4.splat(W)));
              const cl = i32x4.min_s(i32x4.max_s(ixv, i32x4.splat(0)), i32x4.splat(W - 1));
              let v = f32x4.splat(load<f32>(row + (<usize>(i32x4.extract_lane(cl, 0) * sW) << 2)));
              v = f32x4.replace_lane(v, 1, load<f32>(row + (<usize>(i32x4.extract_lane(cl, 1) * sW) << 2)));
              v = f32x4.replace_lane(v, 2, load<f32>(row + (<usize>(i32x4.extract_lane(cl, 2) * sW) << 2)));
              v = f32x4.replace_lane(v, 3, load<f32>(row + (<usize>(i32x4.extract_lane(cl, 3) * sW) << 2)));
              const take = v128.and(valid, v128.or(v128.or(i32x4.lt_s(bi, i32x4.splat(0)), f32x4.gt(v, best)), f32x4.ne(v, v)));
              best = v128.bitselect(v, best, take);
              bi = v128.bitselect(i32x4.add(rowIdx, ixv), bi, take);
            }
          }
          v128.store(OUTV + (<usize>o << 2), best);
          v128.store(OUTI + (<usize>o << 2), bi);
        }
      for (; xo < ow; xo++, o++) {
        const ws = ti(WS, xo), wc = ti(WC, xo);
        let best: f32 = -Infinity, bi = -1;
        for (let t = 0; t < hc; t++) {
          const iy = hs + t * dh;
          if (iy < 0 || iy >= H) continue;
          const row = base + (<usize>(iy * sH) << 2);
          for (let u = 0; u < wc; u++) {
            const ix = ws + u * dw;
            if (ix < 0 || ix >= W) continue;
            const v = load<f32>(row + (<usize>(ix * sW) << 2));
            // branch-free (data-dependent branches mispredict on real activations)
            const take = (bi < 0) | (v > best) | (v != v);
            best = reinterpret<f32>(select<i32>(reinterpret<i32>(v), reinterpret<i32>(best), take)); // i32 select: a cmov
            bi = select<i32>(iy * W + ix, bi, take);
          }
        }
        store<f32>(OUTV + (<usize>o << 2), best);
        store<i32>(OUTI + (<usize>o << 2), bi);
      }
    }
  }
}

/** Adjoint of maxPool2dF32: contiguous G and I [N*C, oh*ow] -> OUT [N*C, H*W] (planes zeroed here). */
export function maxPool2dBackwardF32(G: usize, I: usize, OUT: usize, L: i32, P: i32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const ob = OUT + (<usize>(r * P) << 2);
    memory.fill(ob, 0, <usize>P << 2);
    const gb = G + (<usize>(r * L) << 2), ib = I + (<usize>(r * L) << 2);
    for (let l = 0; l < L; l++) {
      const k = load<i32>(ib + (<usize>l << 2));
      if (k >= 0) {
        const p = ob + (<usize>k << 2);
        store<f32>(p, load<f32>(p) + load<f32>(gb + (<usize>l << 2)));
      }
    }
  }
}

/** Sum over each window divided by DIV [oh*ow] (f32). */
export function avgPool2dF32(desc: usize, X: usize, HS: usize, HC: usize, WS: usize, WC: usize, DIV: usize, OUT: usize, r0: i32, r1: i32): void {
  const C = gp(desc, 1), H = gp(desc, 2), W = gp(desc, 3), sN = gp(desc, 4), sC = gp(desc, 5), sH = gp(desc, 6), sW = gp(desc, 7);
  const oh = gp(desc, 8), ow = gp(desc, 9), dh = gp(desc, 10), dw = gp(desc, 11);
  for (let r = r0; r < r1; r++) {
    const n = r / C, c = r - n * C;
    const base = X + (<usize>(n * sN + c * sC) << 2);
    let o = r * oh * ow;
    for (let y = 0; y < oh; y++) {
      const hs = ti(HS, y), hc = ti(HC, y);
      for (let xo = 0; xo < ow; xo++, o++) {
        const ws = ti(WS, xo), wc = ti(WC, xo);
        let acc: f32 = 0;
        for (let t = 0; t < hc; t++) {
          const iy = hs + t * dh;
          if (iy < 0 || iy >= H) continue;
          const row = base + (<usize>(iy * sH) << 2);
          for (let u = 0; u < wc; u++) {
            const ix = ws + u * dw;
            if (ix >= 0 && ix < W) acc += load<f32>(row + (<usize>(ix * sW) << 2));
          }
        }
        store<f32>(OUT + (<usize>o << 2), acc / load<f32>(DIV + (<usize>(y * ow + xo) << 2)));
      }
    }
  }
}

/** Adjoint of avgPool2dF32: G [N, C, oh, ow] (strides in desc's sN..sW) -> contiguous OUT [N, C, H, W]. */
export function avgPool2dBackwardF32(desc: usize, Gp: usize, HS: usize, HC: usize, WS: usize, WC: usize, DIV: usize, OUT: usize, r0: i32, r1: i32): void {
  const C = gp(desc, 1), H = gp(desc, 2), W = gp(desc, 3), sN = gp(desc, 4), sC = gp(desc, 5), sH = gp(desc, 6), sW = gp(desc, 7);
  const oh = gp(desc, 8), ow = gp(desc, 9), dh = gp(desc, 10), dw = gp(desc, 11);
  for (let r = r0; r < r1; r++) {
    const n = r / C, c = r - n * C;
    const base = Gp + (<usize>(n * sN + c * sC) << 2);
    const ob = OUT + (<usize>(r * H * W) << 2);
    memory.fill(ob, 0, <usize>(H * W) << 2);
    for (let y = 0; y < oh; y++) {
      const hs = ti(HS, y), hc = ti(HC, y);
      for (let xo = 0; xo < ow; xo++) {
        const ws = ti(WS, xo), wc = ti(WC, xo);
        const v = load<f32>(base + (<usize>(y * sH + xo * sW) << 2)) / load<f32>(DIV + (<usize>(y * ow + xo) << 2));
        for (let t = 0; t < hc; t++) {
          const iy = hs + t * dh;
          if (iy < 0 || iy >= H) continue;
          const row = ob + (<usize>(iy * W) << 2);
          for (let u = 0; u < wc; u++) {
            const ix = ws + u * dw;
            if (ix >= 0 && ix < W) {
              const p = row + (<usize>ix << 2);
              store<f32>(p, load<f32>(p) + v);
            }
          }
        }
      }
    }
  }
}
