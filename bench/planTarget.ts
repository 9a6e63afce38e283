/**
 * `casesync plan` as a child process of a small generated CSV against a target that holds N cases
 * (bench/bigTarget.ts), for a small and a large N: the target's cases go to plan's on-disk scratch
 * index, so peak RSS (bench/rusage.cjs) should not grow with N. Prints, for each N, peak RSS and CPU,
 * the plan's decisions, and what the listing cost (case list requests and seconds, as the target
 * counted them), then the growth of peak RSS between the two.
 * `npx tsx bench/planTarget.ts [smallCases] [largeCases] [rows]`.
 */
import { Effect } from "effect"
import { pathToFileURL } from "node:url"
import { type BigTargetStats, startBigTarget } from "./bigTarget.js"
import { planOnce, type PlanRun } from "./plan.js"

/** One plan against a target of `cases` cases. */
export interface TargetPlanRun {
  readonly cases: number
  readonly plan: PlanRun
  readonly target: BigTargetStats
}

/** Both target sizes and the growth of peak RSS between them. */
export interface TargetPlanBenchResult {
  readonly small: TargetPlanRun
  readonly large: TargetPlanRun
  readonly rssGrowth: number
}

const planAgainst = (cases: number, rows: number) =>
  Effect.gen(function*() {
    const target = yield* Effect.acquireRelease(Effect.promise(() => startBigTarget(cases)), (t) => Effect.promise(() => t.close()))
    const plan = yield* planOnce(rows, target.url)
    return { cases, plan, target: target.stats() } satisfies TargetPlanRun
  }).pipe(Effect.scoped)

/** Plans `rows` generated rows against a target of `small` cases, then of `large` cases. */
export const runPlanTargetBench = (small: number, large: number, rows: number): Promise<TargetPlanBenchResult> =>
  Effect.runPromise(Effect.gen(function*() {
    const smallRun = yield* planAgainst(small, rows)
    const largeRun = yield* planAgainst(large, rows)
    return {
      small: smallRun,
      large: largeRun,
      rssGrowth: Math.round((largeRun.plan.peakRssMegabytes / smallRun.plan.peakRssMegabytes) * 100) / 100
    }
  }))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runPlanTargetBench(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1_000_000), Number(process.argv[4] ?? 5000)).then((result) =>
    console.log(JSON.stringify(result, null, 2))
  )
}
