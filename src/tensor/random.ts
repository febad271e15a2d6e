// The global random generator behind rand/randn/randint/randperm, init and dropout:
// xoshiro128** seeded through splitmix32, so dt.manualSeed(s) makes every run reproducible.
// (Streams differ from PyTorch's Mersenne Twister: seeds reproduce deeptype runs, not torch's.)

let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
let spareNormal: number | null = null;

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** dt.manualSeed(seed): resets the generator; the same seed gives the same numbers.
 *  @example dt.manualSeed(0); const w = dt.randn([3, 3]); */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`manualSeed: expected a finite number, got ${seed}`);
  const sm = splitmix32(Math.floor(seed) | 0 ^ Math.floor(seed / 4294967296));
  s0 = sm(); s1 = sm(); s2 = sm(); s3 = sm();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spareNormal = null;
}

/** The next 32 random bits as an unsigned integer. */
export function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1) with 53 random bits. */
export function uniform(): number {
  return ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992;
}

/** Standard normal (Box-Muller, pairs). */
export function normal(): number {
  if (spareNormal !== null) {
    const v = spareNormal;
    spareNormal = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** Uniform integer in [0, n). */
export function randBelow(n: number): number {
  return Math.floor(uniform() * n);
}

manualSeed(Date.now() ^ (process.pid << 16));
