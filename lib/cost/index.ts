/**
 * `osop-sfn cost`: what a compiled workflow costs to run on Step Functions.
 * `paths.ts` finds the paths that matter and `walk.ts` counts each one on the
 * definition; `estimate.ts` prices them (`prices.json`); `verify.ts` (loaded
 * apart: it needs the local engine) runs the same paths locally and compares.
 * Reads the compiled definition and the compile report; never lib/cdk's
 * aws-cdk-lib parts (plan.ts only, which loads none).
 */
export { costPaths, type CostPath, type PathKind, type Scenario, type SkippedScenario } from './paths';
export { walkPath, materialise, WalkError, type PathSpec, type Walk, type TaskCall, type Answer } from './walk';
export { estimateCost, CostInputError, type CostOptions, type CostReport, type PathCost, type ExpressVerdict, type Monthly } from './estimate';
export { BUILT_IN_PRICES, readPrices, pricesFor, PriceError, type PriceTable, type RegionPrices } from './prices';
