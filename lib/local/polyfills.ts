/**
 * Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 calls.
 * Loaded before the engine; a no-op on Node 22 and later.
 */
type Resolvers<T> = { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e?: unknown) => void };
const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
// States.Hash as Step Functions computes it (see engine-hash-fix.ts).
import './engine-hash-fix';
