// im2col for float32 convolutions: x [N, C, H, W] (any strides) -> contiguous
// [N, C, kh, kw, oh, ow] with out[n,c,i,j,y,x] = x[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw],
// 0 outside the input. Rows of work are the (n, c) pairs. Geometry comes as an i32 table:
// [N, C, H, W, sN, sC, sH, sW, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow].

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
