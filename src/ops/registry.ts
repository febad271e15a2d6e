// The op registry: every public op is defined once through defineOp, so tests can walk the
// whole set (test/gradcheck.test.ts refuses an op that is differentiable but has no check).

/** An entry of OPS. */
export interface OpSpec {
  /** The op's name. */
  name: string;
  /** The op's function. */
  fn: (...args: any[]) => any;
  /** Has a gradient for at least one input. */
  differentiable: boolean;
}

/** Every public op by name, as registered with defineOp (for tests that walk the whole set). */
export const OPS = new Map<string, OpSpec>();

/** Registers an op under a name and returns it unchanged. `F extends Function` (not a call
 *  signature) on purpose: it gives the op's parameters no contextual type, so each one is typed by
 *  its annotation or default and none becomes `any` in the published declarations. */
export function defineOp<F extends Function>(name: string, fn: F, opts: { differentiable?: boolean } = {}): F {
  if (OPS.has(name)) throw new Error(`defineOp: op '${name}' is defined twice`);
  OPS.set(name, { name, fn: fn as unknown as OpSpec["fn"], differentiable: opts.differentiable ?? true });
  return fn;
}
