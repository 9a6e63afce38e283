// The handlers of `casesync sync` and `casesync conflicts`, loaded only when chosen.
import { Console, Data, Effect, Layer, Option } from "effect"
import * as os from "node:os"
import { loadRunConfig } from "../config/RunConfig.js"
import { type SideRequests, makeRequestCounter } from "../http/RequestCounter.js"
import { takeJobLease } from "../state/JobLease.js"
import { StateStore } from "../state/StateStore.js"
import { makePeachClient, PeachClient } from "../target/PeachClient.js"
import type { Take } from "../sync/FieldState.js"
import { describeValue } from "../sync/FieldState.js"
import { cycleAccountingLine, type CycleOutcome } from "../sync/CycleReport.js"
import { createKey, pendingCreates } from "../sync/CreateInSource.js"
import { runSyncCycle } from "../sync/SyncCycle.js"
import { overrideProblems } from "../sync/SyncRules.js"
import { overridesOf } from "./CommonOptions.js"
import { ExitCode } from "./ExitCodes.js"
import { loadConfiguredMapping } from "./RunContext.js"
import type { ConflictsOptions, ResolveCreateOptions, ResolveOptions, SyncOptions } from "./SyncCommand.js"
import { describeTiming, parseTiming, runOnSchedule } from "../sync/SyncSchedule.js"
import { stopsOnSignal } from "./Signals.js"
import { shellQuote } from "./ShellWords.js"

/** `sync` asked of a job it cannot sync both ways, or without a way to know when to run. */
export class SyncUsageError extends Data.TaggedError("SyncUsageError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** What a cycle cost: the requests each side was sent (counted at the client edge) and the wall time. */
export interface CycleCost {
  readonly requests: { readonly crm: SideRequests; readonly target: SideRequests }
  readonly wallSeconds: number
}

/** The cost line printed after the accounting line. */
export const cycleCostLine = (cost: CycleCost): string =>
  `requests crm ${cost.requests.crm.reads} reads + ${cost.requests.crm.writes} writes, ` +
  `target ${cost.requests.target.reads} reads + ${cost.requests.target.writes} writes; wall ${cost.wallSeconds.toFixed(2)} s`

/** The human view of one cycle. */
export const cycleView = (outcome: CycleOutcome & { readonly reportFile: string }, cost: CycleCost): string =>
  [
    `sync cycle ${outcome.cycle} of job ${outcome.job}${outcome.dryRun ? " (dry run: nothing written)" : ""}`,
    `  ${cycleAccountingLine(outcome.counts)}`,
    `  ${cycleCostLine(cost)}`,
    ...outcome.wars.map((w) => `  war stopped: ${w.sourceKey} ${w.field} queued instead of written again`),
    ...outcome.gone.map((g) => `  gone from the ${g.goneFrom === "crm" ? "CRM" : "target"}: ${g.sourceKey} (case ${g.caseId ?? "?"}), not deleted`),
    ...outcome.unanswered.map((u) => `  waiting for an answer: the CRM create for target case ${u.caseId} (see the report; casesync sync resolve-create)`),
    `  wall time ${outcome.wallMillis} ms`,
    `  report: ${outcome.reportFile}`
  ].join("\n")

const cycleJson = (outcome: CycleOutcome & { readonly reportFile: string }, cost: CycleCost) => ({
  cycle: outcome.cycle,
  requests: cost.requests,
  wallSeconds: cost.wallSeconds,
  dryRun: outcome.dryRun,
  counts: outcome.counts,
  changes: outcome.changes,
  conflicts: outcome.queued,
  wars: outcome.wars,
  gone: outcome.gone,
  newInTarget: outcome.newInTarget,
  failures: outcome.failures,
  unanswered: outcome.unanswered,
  wallMillis: outcome.wallMillis,
  reportFile: outcome.reportFile
})

/** `casesync sync [--once] [--dry-run]`: two-way sync of a CRM job, one cycle or on the config's schedule. */
export const sync = (options: SyncOptions) =>
    Effect.gen(function*() {
      const config = yield* loadRunConfig(options.config, overridesOf(options))
      if (config.source.kind !== "khoros") {
        return yield* new SyncUsageError({
          reason: `job ${config.job} reads a CSV export: its sync is one-way. Export again and run ` +
            `\`casesync migrate --config ${shellQuote(options.config)}\`: the newer export is re-planned against the ledger.`
        })
      }
      const once = options.once || options.dryRun
      const timing = parseTiming(config.sync)
      if (!once && timing._tag === "Left") {
        return yield* new SyncUsageError({ reason: `${options.config}: ${timing.left}; or run \`casesync sync --once\`` })
      }
      const command = `casesync sync${options.once ? " --once" : ""}${options.dryRun ? " --dry-run" : ""}`
      // Each cycle counts its own requests, from the mapping check to the last write.
      const cycle = Effect.suspend(() => {
        const crmCount = makeRequestCounter()
        const targetCount = makeRequestCounter()
        const started = performance.now()
        return Effect.gen(function*() {
          const { compiled, source } = yield* loadConfiguredMapping(config, crmCount.http)
          const problems = overrideProblems(compiled.fields, config.sync.fields ?? {})
          if (problems.length > 0) return yield* new SyncUsageError({ reason: `${options.config}: ${problems.join("; ")}` })
          const outcome = yield* runSyncCycle({ config, compiled, source, crmHttp: crmCount.http }, { dryRun: options.dryRun, command })
          const cost: CycleCost = {
            requests: { crm: crmCount.snapshot(), target: targetCount.snapshot() },
            wallSeconds: Math.round(performance.now() - started) / 1000
          }
          yield* Console.log(options.json
            ? JSON.stringify({ command: "sync", job: config.job, ...cycleJson(outcome, cost) }, null, 2)
            : cycleView(outcome, cost))
          return outcome
        }).pipe(Effect.provide(Layer.merge(
          Layer.effect(PeachClient, makePeachClient(config.target)).pipe(Layer.provide(targetCount.http)),
          StateStore.layerFromUrl(config.state)
        )))
      })
      if (once) {
        const outcome = yield* cycle
        process.exitCode = outcome.counts.conflictFields + outcome.counts.rejected + outcome.counts.failedWrites + outcome.unanswered.length > 0
          ? ExitCode.DoneWithIssues
          : ExitCode.Ok
        return
      }
      if (timing._tag === "Left") return
      // Stopping a scheduled sync is its normal end: exit 0 once the writes in flight are done.
      stopsOnSignal()
      yield* Console.log(`syncing job ${config.job} ${describeTiming(timing.right)} until SIGINT or SIGTERM`)
      yield* runOnSchedule(timing.right, cycle, (error) =>
        Console.error(`casesync: sync cycle failed: ${error instanceof Error ? error.message : String(error)}; the next cycle runs on schedule`)).pipe(
        Effect.onInterrupt(() => Console.error("casesync: sync stopped; the writes in flight were finished"))
      )
    })

/** `--take crm|target|value=…` as the core's Take; a value is read as JSON when it parses, else as text. */
export const parseTake = (text: string): Option.Option<Take> => {
  if (text === "crm" || text === "target") return Option.some({ _tag: text })
  if (!text.startsWith("value=")) return Option.none()
  const raw = text.slice("value=".length)
  try {
    return Option.some({ _tag: "value", value: JSON.parse(raw) })
  } catch {
    return Option.some({ _tag: "value", value: raw })
  }
}

/** `casesync conflicts`: the job's queued conflicts. */
export const conflicts = (options: ConflictsOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const conflicts = yield* Effect.flatMap(StateStore, (store) => store.listConflicts(config.job)).pipe(
      Effect.provide(StateStore.layerFromUrl(config.state))
    )
    if (options.json) {
      yield* Console.log(JSON.stringify({
        command: "conflicts",
        job: config.job,
        conflicts: conflicts.map((c) => ({
          id: c.id,
          sourceKey: c.sourceKey,
          field: c.field,
          reason: c.conflict.reason,
          base: Option.getOrNull(c.conflict.base),
          crm: c.conflict.crm,
          target: c.conflict.target,
          sinceCycle: c.conflict.since,
          openedAt: c.openedAt,
          resolution: Option.getOrNull(c.conflict.resolution),
          detail: c.conflict.detail
        }))
      }, null, 2))
      return
    }
    yield* Console.log(conflicts.length === 0
      ? `no queued conflicts in job ${config.job}`
      : [
        `${conflicts.length} queued conflicts in job ${config.job}:`,
        ...conflicts.map((c) =>
          `  ${c.id}  ${c.sourceKey} ${c.field}: base ${Option.match(c.conflict.base, { onNone: () => "none", onSome: (b) => `${describeValue(b.crm)} / ${describeValue(b.target)}` })}, ` +
          `CRM ${describeValue(c.conflict.crm)}, target ${describeValue(c.conflict.target)}, since cycle ${c.conflict.since} (${c.openedAt})` +
          Option.match(c.conflict.resolution, { onNone: () => "", onSome: (t) => ` — resolved: take ${t._tag === "value" ? `value ${describeValue(t.value)}` : t._tag}, written next cycle` })
        ),
        `resolve with: casesync conflicts resolve <id|--all> --take crm|target|value=…`
      ].join("\n"))
  })

/** `casesync conflicts resolve`: records a person's choice; the next cycle writes it. */
export const resolve = (options: ResolveOptions) =>
    Effect.gen(function*() {
      const config = yield* loadRunConfig(options.config, overridesOf(options))
      const take = parseTake(options.take)
      if (Option.isNone(take)) {
        return yield* new SyncUsageError({ reason: `--take ${options.take}: say crm, target or value=V` })
      }
      if (options.all === (options.ids.length > 0)) {
        return yield* new SyncUsageError({ reason: "name the conflicts to resolve (ids from `casesync conflicts`) or --all, not both" })
      }
      const resolved = yield* Effect.flatMap(StateStore, (store) =>
        store.resolveConflicts(config.job, options.all ? "all" : options.ids, take.value)).pipe(
          Effect.provide(StateStore.layerFromUrl(config.state))
        )
      yield* Console.log(options.json
        ? JSON.stringify({ command: "conflicts resolve", job: config.job, resolved: resolved.map((c) => c.id) }, null, 2)
        : `resolved ${resolved.length} conflicts (${resolved.map((c) => c.id).join(", ")}); the next sync cycle writes the chosen values`)
    })

/**
 * `casesync sync resolve-create <target case> --crm-case <id> | --not-created`: records a person's
 * word on a CRM create sent without an answer; the next cycle links the named case, or creates
 * the case again. Nothing is written to either system here.
 */
export const resolveCreate = (options: ResolveCreateOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    if (config.source.kind !== "khoros") {
      return yield* new SyncUsageError({ reason: `job ${config.job} reads a CSV export: its sync is one-way and creates nothing in a CRM` })
    }
    if (Option.isSome(options.crmCase) === options.notCreated) {
      return yield* new SyncUsageError({ reason: "say what the create made with one of --crm-case <id> (the CRM case it made) and --not-created (none)" })
    }
    const crmCase = Option.map(options.crmCase, (id) => id.trim())
    if (Option.isSome(crmCase) && crmCase.value === "") return yield* new SyncUsageError({ reason: "--crm-case needs the CRM case id" })
    const job = config.job
    yield* Effect.gen(function*() {
      const store = yield* StateStore
      // Not while a cycle runs: it may be linking or creating this very case from what it read before.
      yield* takeJobLease(store, {
        job,
        holder: { runId: `resolve-create-${Date.now().toString(36)}`, pid: process.pid, host: os.hostname(), command: "casesync sync resolve-create" },
        ttl: "60 seconds"
      })
      yield* store.resolveSentWrite(
        job,
        createKey(options.caseId),
        "crm",
        Option.match(crmCase, { onNone: () => ({ _tag: "notMade" as const }), onSome: (id) => ({ _tag: "made" as const, id }) })
      ).pipe(Effect.catchIf((error) => error.reason === "NotFound", () =>
        Effect.flatMap(store.listSideWrites(job, "sent"), (sent) => {
          const waiting = pendingCreates(sent)
          return new SyncUsageError({
            reason: `no CRM create for target case ${options.caseId} is waiting for an answer in job ${job}; ` +
              (waiting.length === 0 ? "none is" : `these are: ${waiting.join(", ")}`)
          })
        })))
    }).pipe(Effect.scoped, Effect.provide(StateStore.layerFromUrl(config.state)))
    const said = Option.match(crmCase, {
      onNone: () => `the CRM holds no case made for target case ${options.caseId}: the next sync cycle creates it in the CRM again`,
      onSome: (id) =>
        `CRM case ${id} is the one made for target case ${options.caseId}: the next sync cycle links them if it is an unlinked case of the same customer ` +
        "(other CRM cases that looked like it are then synced as cases of their own)"
    })
    yield* Console.log(options.json
      ? JSON.stringify({ command: "sync resolve-create", job, caseId: options.caseId, crmCase: Option.getOrNull(crmCase), notCreated: options.notCreated }, null, 2)
      : said)
  })
