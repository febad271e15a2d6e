// The op registry: every public op is defined once through defineOp, so tests can walk the
// whole set (test/gradcheck.test.ts refuses an op that is differentiable but has no check).

export interface OpSpec {
  name: string;
  fn: (...args: any[]) => any;
  /** Has a gradient for at least one input. */
  differentiable: boolean;
}

export const OPS = new Map<string, OpSpec>();

export function defineOp<F extends (...args: any[]) => any>(name: string, fn: F, opts: { differentiable?: boolean } = {}): F {
  if (OPS.has(name)) throw new Error(`defineOp: op '${name}' is defined twice`);
  OPS.set(name, { name, fn, differentiable: opts.differentiable ?? true });
  return fn;
}
