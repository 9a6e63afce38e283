// The handlers of `casesync plan`, `apply` and `migrate` (and the views and steps the demo
// shares), loaded only when one of them is chosen.
import { Console, Effect, Option } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import { applyMigration, type ApplyOutcome, checkPlanJob, checkPlanSource } from "../apply/ApplyMigration.js"
import { loadRunConfig, type RunConfig } from "../config/RunConfig.js"
import { readPlanHeader } from "../plan/PlanFile.js"
import { accountingLine } from "../plan/PlanReport.js"
import { planMigration, type PlanOutcome, startTargetListing } from "../plan/PlanMigration.js"
import { layerProgress } from "../progress/ProgressLive.js"
import { takeJobLease } from "../state/JobLease.js"
import { StateStore } from "../state/StateStore.js"
import { overridesOf } from "./CommonOptions.js"
import { exitCodeForCounts } from "./ExitCodes.js"
import type { ApplyOptions, MigrateOptions, PlanOptions } from "./MigrationCommands.js"
import { loadConfiguredMapping, runLayer } from "./RunContext.js"
import { shellCommand } from "./ShellWords.js"

// == views: one human form, one JSON form

/** The human view of a finished plan. */
export const planView = (config: RunConfig, outcome: PlanOutcome): string =>
  [
    `plan ${outcome.header.planId} for job ${config.job}: ${outcome.header.source} → ${config.target.baseUrl}`,
    ...Option.match(outcome.crm, {
      onNone: () => [],
      onSome: (crm) => [
        `  CRM customers ${crm.customers}: ${crm.customersWithCases} with cases, ${crm.customersWithoutCases} without, ${crm.customersUnknown} unknown to the CRM${
          crm.unknownCustomerIds.length > 0 && crm.unknownCustomerIds.length <= 5 ? ` (${crm.unknownCustomerIds.join(", ")})` : ""
        }`
      ]
    }),
    `  ${accountingLine(outcome.counts, "plan")}`,
    `  plan:   ${outcome.planFile}`,
    `  report: ${outcome.reportFile}`,
    `  html:   ${outcome.htmlReportFile}`
  ].join("\n")

/** The human view of a finished apply. */
export const applyView = (outcome: ApplyOutcome): string =>
  [
    `applied plan ${outcome.header.planId} (run ${outcome.runId})`,
    `  ${accountingLine(outcome.counts)}`,
    `  results: ${outcome.resultsFile}`,
    `  rejects: ${outcome.rejectsFile}`,
    `  report:  ${outcome.htmlReportFile}`
  ].join("\n")

const planJson = (outcome: PlanOutcome) => ({
  planId: outcome.header.planId,
  source: outcome.header.source,
  counts: outcome.counts,
  planFile: outcome.planFile,
  reportFile: outcome.reportFile,
  htmlReportFile: outcome.htmlReportFile,
  crm: Option.getOrNull(outcome.crm)
})

const applyJson = (outcome: ApplyOutcome) => ({
  runId: outcome.runId,
  planId: outcome.header.planId,
  counts: outcome.counts,
  resultsFile: outcome.resultsFile,
  rejectsFile: outcome.rejectsFile,
  htmlReportFile: outcome.htmlReportFile
})

// == the steps, shared by the commands

/** Loads the mapping and plans: the first half of plan and migrate. */
export const planStep = (config: RunConfig, options: { out: Option.Option<string>; report: Option.Option<string>; onlyRejects: Option.Option<string> }) =>
  Effect.gen(function*() {
    // The target's listing needs nothing from the mapping: it starts before the mapping loads.
    const listing = yield* startTargetListing
    const { mapper, source } = yield* loadConfiguredMapping(config)
    const outcome = yield* planMigration(config, mapper, source, {
      listing,
      planFile: Option.getOrElse(options.out, () => path.join(config.outputDir, "plan.json")),
      reportFile: Option.getOrElse(options.report, () => path.join(config.outputDir, "report.md")),
      onlyRejects: Option.getOrUndefined(options.onlyRejects)
    })
    return { mapper, outcome }
  })

/**
 * Takes the job's lease for the scope, before a plan writes anything: a plan of a job that
 * another run is applying or syncing would overwrite that run's plan file and reports (and be
 * stale at once), so it stops with the lease's holder named instead.
 */
const holdJob = (config: RunConfig, command: "plan" | "migrate") =>
  Effect.flatMap(StateStore, (store) =>
    takeJobLease(store, {
      job: config.job,
      holder: { runId: `${command}-${Date.now().toString(36)}`, pid: process.pid, host: os.hostname(), command },
      ttl: "60 seconds"
    }))

const say = (json: boolean, human: string) => (json ? Effect.void : Console.log(human))

/** `casesync plan`: the dry run. Writes the plan file and report; makes no write request to the target. */
export const plan = (options: PlanOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const { outcome } = yield* holdJob(config, "plan").pipe(
      Effect.zipRight(planStep(config, options)),
      Effect.scoped,
      Effect.provide(runLayer(config)),
      Effect.provide(layerProgress(options.progress, options.json))
    )
    yield* say(options.json, `${planView(config, outcome)}\n  next:   ${shellCommand(["casesync", "apply", "--config", options.config, "--plan", outcome.planFile])}`)
    if (options.json) yield* Console.log(JSON.stringify({ command: "plan", job: config.job, plan: planJson(outcome) }, null, 2))
    process.exitCode = exitCodeForCounts(outcome.counts)
  })

/** `casesync apply --plan F`: executes exactly the reviewed plan. */
export const apply = (options: ApplyOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const outcome = yield* Effect.gen(function*() {
      // A plan whose bodies are made from the source is refused first if that file is gone or changed:
      // loading the mapping reads the file's header, and would only say the file is missing.
      yield* readPlanHeader(options.plan).pipe(
        Effect.tap((header) => checkPlanJob(header, config)),
        Effect.flatMap((header) => checkPlanSource(config, header))
      )
      const { mapper } = yield* loadConfiguredMapping(config)
      return yield* applyMigration(config, mapper, options.plan, { command: "apply", sourceChecked: true })
    }).pipe(Effect.provide(runLayer(config)), Effect.provide(layerProgress(options.progress, options.json)))
    yield* say(options.json, applyView(outcome))
    if (options.json) yield* Console.log(JSON.stringify({ command: "apply", job: config.job, apply: applyJson(outcome) }, null, 2))
    process.exitCode = exitCodeForCounts(outcome.counts)
  })

/** `casesync migrate`: plan, then apply that plan, in one go (`--dry-run` stops after the plan). */
export const migrate = (options: MigrateOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const result = yield* Effect.gen(function*() {
      const lease = yield* holdJob(config, "migrate")
      const { mapper, outcome: planned } = yield* planStep(config, options)
      yield* say(options.json, planView(config, planned))
      if (options.dryRun) return { planned, applied: Option.none<ApplyOutcome>() }
      const applied = yield* applyMigration(config, mapper, planned.planFile, { command: "migrate", targets: planned.targets, lease })
      yield* say(options.json, applyView(applied))
      return { planned, applied: Option.some(applied) }
      // The scope holds the plan's target index (on disk) until apply is done with it.
    }).pipe(Effect.scoped, Effect.provide(runLayer(config)), Effect.provide(layerProgress(options.progress, options.json)))
    if (options.json) {
      yield* Console.log(JSON.stringify({
        command: "migrate",
        job: config.job,
        plan: planJson(result.planned),
        apply: Option.getOrNull(Option.map(result.applied, applyJson)),
        counts: Option.match(result.applied, { onNone: () => result.planned.counts, onSome: (a) => a.counts })
      }, null, 2))
    }
    process.exitCode = exitCodeForCounts(Option.match(result.applied, { onNone: () => result.planned.counts, onSome: (a) => a.counts }))
  })
