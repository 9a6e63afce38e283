// The handler of `casesync demo`, loaded only when it is chosen.
import { Console, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { applyMigration } from "../apply/ApplyMigration.js"
import { loadRunConfig, type RunConfig } from "../config/RunConfig.js"
import type { PlanCounts } from "../plan/Plan.js"
import { startSandbox } from "../sandbox/SandboxServer.js"
import type { RequestStats } from "../sandbox/SandboxStats.js"
import { isClean } from "../reconcile/Reconciliation.js"
import { reconcileView } from "../reconcile/ReconcileView.js"
import { ExitCode } from "./ExitCodes.js"
import { applyView, planStep, planView } from "./MigrationHandlers.js"
import { reconcileStep } from "./ReconcileHandler.js"
import { syncAct } from "./DemoSyncAct.js"
import { runLayer } from "./RunContext.js"

// The shipped run configs, relative to the checkout the command runs in.
const demoConfigs = ["samples/legacy-csv.casesync.yaml", "samples/khoros.casesync.yaml"]
const demoState = ".casesync/demo-state.db"
const demoOut = "out/demo"

const writesIn = (stats: RequestStats): number =>
  Object.entries(stats.byEndpoint)
    .filter(([endpoint]) => /^(POST|PUT|DELETE|PATCH) /.test(endpoint) && !endpoint.includes("/_sandbox"))
    .reduce((sum, [, counts]) => sum + counts.total, 0)

const migrateOnce = (config: RunConfig, label: string) =>
  Effect.gen(function*() {
    yield* Console.log(`\n== ${label}: ${config.job}`)
    const { mapper, outcome } = yield* planStep(config, { out: Option.none(), report: Option.none(), onlyRejects: Option.none() })
    yield* Console.log(planView(config, outcome))
    const applied = yield* applyMigration(config, mapper, outcome.planFile, { command: "demo" })
    yield* Console.log(applyView(applied))
    return applied.counts
  }).pipe(Effect.scoped, Effect.provide(runLayer(config)))

/**
 * `casesync demo`: a real migration of `samples/` (the CSV export and the CRM) into a
 * sandbox started in this process, then the same migration again to show that the
 * second pass writes nothing, and a reconcile of each job that must be clean.
 */
export const demo = () =>
  Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* startSandbox({ port: 0 })
    yield* Console.log(`sandbox (in this process): ${sandbox.url}; its CRM: ${sandbox.crmUrl}`)
    // A fresh ledger for a fresh sandbox; only the demo's own files, never a real state.db beside them.
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${demoState}${suffix}`, { force: true })
    const environment = { ...process.env, PEACH_BASE_URL: sandbox.url, KHOROS_BASE_URL: sandbox.crmUrl }
    const configs = yield* Effect.forEach(demoConfigs, (file) =>
      loadRunConfig(file, { state: demoState, outputDir: path.join(demoOut, path.basename(file).split(".")[0]!) }, environment))

    const firstWrites = writesIn(yield* sandbox.stats.snapshot)
    const first: Array<PlanCounts> = []
    for (const config of configs) first.push(yield* migrateOnce(config, "first pass"))
    const afterFirst = yield* sandbox.stats.snapshot

    const second: Array<PlanCounts> = []
    for (const config of configs) second.push(yield* migrateOnce(config, "second pass"))
    const afterSecond = yield* sandbox.stats.snapshot

    const written = (counts: ReadonlyArray<PlanCounts>) => counts.reduce((n, c) => n + c.create + c.update, 0)
    yield* Console.log([
      "",
      "== what happened",
      `first pass:  ${written(first)} cases written with ${writesIn(afterFirst) - firstWrites} write requests`,
      `second pass: ${second.reduce((n, c) => n + c.create, 0)} created, ${second.reduce((n, c) => n + c.update, 0)} updated, ${writesIn(afterSecond) - writesIn(afterFirst)} write requests: nothing to do`,
      `reports, results and rejects: ${demoOut}/<job>/ (report.md, report.html, apply-report.html, plan.json, results.csv, rejects.csv)`,
      `state: ${demoState}`
    ].join("\n"))
    // The proof: the target holds exactly what the mappings make of the sources (list calls only).
    let clean = true
    for (const config of configs) {
      yield* Console.log(`\n== reconcile: ${config.job}`)
      const outcome = yield* reconcileStep(config, { report: Option.none(), planFixes: Option.none() }).pipe(Effect.provide(runLayer(config)))
      yield* Console.log(reconcileView(outcome.reconciliation, outcome.source, config.target.baseUrl, outcome.files))
      clean &&= isClean(outcome.reconciliation)
    }
    // Act three: two-way sync of the CRM job.
    const khoros = configs.find((config) => config.source.kind === "khoros")
    const synced = khoros === undefined ? true : yield* syncAct(sandbox, khoros)
    if (writesIn(afterSecond) !== writesIn(afterFirst) || !clean || !synced) process.exitCode = ExitCode.Failed
  }))
