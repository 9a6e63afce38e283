import { FetchHttpClient, FileSystem, type HttpClient } from "@effect/platform"
import { Cause, Chunk, Clock, Duration, Effect, Either, Layer, Option, Stream } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import { applyPlan, rejectColumns, resultColumns } from "../apply/Applier.js"
import { leaseLost } from "../apply/ApplyMigration.js"
import { ApplyFailed } from "../apply/ApplyOutcome.js"
import { openCsvOutput } from "../apply/CsvOutput.js"
import { lookupInIndex } from "../apply/TargetLookup.js"
import type { RunConfig } from "../config/RunConfig.js"
import type { Case, CaseUpdate } from "../domain/peach/Case.js"
import { isRefusedBeforeSending } from "../http/HttpRequestError.js"
import type { CompiledMapping } from "../mapping/index.js"
import { planItems } from "../plan/Planner.js"
import { indexBorrowers, indexTargetCases } from "../plan/TargetIndex.js"
import { mapperOf } from "../cli/RunContext.js"
import { KhorosClient, layerKhorosClient, makeKhorosPolicy } from "../sources/khoros/KhorosClient.js"
import type { KhorosCaseUpdate } from "../sources/khoros/KhorosCase.js"
import type { OpenedSource } from "../sources/SourceFromConfig.js"
import { formatLocation, type SourceRecord } from "../sources/SourceRecord.js"
import { takeJobLease } from "../state/JobLease.js"
import { StateStore } from "../state/StateStore.js"
import { conflictId } from "../state/SyncStates.js"
import { PeachClient } from "../target/PeachClient.js"
import { cycleReport, type CycleCounts, type CycleOutcome, type FieldChange, type GoneCase, type QueuedField } from "./CycleReport.js"
import { type Answered, decideRecord, keepsStoredStates, nextStates, observe, type RecordSyncInput } from "./SyncDecision.js"
import { createInSource, createKey, lostCreates, pendingCreates } from "./CreateInSource.js"
import { snapshotAfterCycle, statesWithLedgerBase } from "./LedgerBase.js"
import { rulesFor } from "./SyncRules.js"

/** How to run one cycle. */
export interface CycleOptions {
  readonly dryRun: boolean
  /** The command line, for the lease and the run log (`casesync sync --once`). */
  readonly command: string
  readonly leaseTtl?: Duration.DurationInput | undefined
}

/** What one cycle needs besides the services: the config, the compiled mapping and the opened CRM source. */
export interface CycleInputs {
  readonly config: RunConfig
  readonly compiled: CompiledMapping
  readonly source: OpenedSource
  /** Carries the cycle's own CRM requests (its writes); the default is plain fetch. */
  readonly crmHttp?: Layer.Layer<HttpClient.HttpClient> | undefined
}

const typeIdOf = (kase: Readonly<Record<string, unknown>>): string | undefined => {
  const typeId = kase["typeId"] ?? (kase["caseTypeMeta"] as { id?: unknown } | undefined)?.id
  return typeof typeId === "string" ? typeId : undefined
}

const personOf = (kase: Case): string | undefined => kase.borrowerIds[0] ?? kase.people[0]

/**
 * Runs one sync cycle of a Khoros job (see src/sync/README.md): reads both sides with list
 * calls, pairs the cases through the ledger, decides each paired record with the core, sends
 * at most one update per side per record (journalled `sent` → `confirmed`), stamps the new
 * bases from the answers, creates new CRM cases in the target exactly as migrate does, and
 * reports cases gone from one side without deleting anything. `dryRun` writes nothing to
 * either system nor to the state store, and reports what it would write.
 */
export const runSyncCycle = (inputs: CycleInputs, options: CycleOptions) =>
  Effect.gen(function*() {
    const { config, compiled, source } = inputs
    const job = config.job
    const store = yield* StateStore
    const peach = yield* PeachClient
    const started = yield* Clock.currentTimeMillis
    if (config.source.kind !== "khoros") {
      return yield* new ApplyFailed({
        reason: `job ${job} reads a CSV export: sync is one-way for it (a newer export re-planned against the ledger)`,
        resume: "run `casesync migrate` with the newer export"
      })
    }
    const crmLayer = layerKhorosClient(makeKhorosPolicy({
      baseUrl: config.source.baseUrl,
      apiKey: config.source.apiKey,
      apiKeyHeader: config.source.apiKeyHeader,
      timeoutMillis: config.source.timeoutMillis,
      maxAttempts: config.source.maxAttempts,
      requestsPerSecond: config.source.requestsPerSecond,
      concurrency: config.source.concurrency
    })).pipe(Layer.provide(inputs.crmHttp ?? FetchHttpClient.layer))
    const crm = yield* Effect.provide(KhorosClient, crmLayer)

    const cycle = Option.match(yield* store.getCheckpoint(job, "sync"), {
      onNone: () => 1,
      onSome: (value) => (typeof value["cycle"] === "number" ? value["cycle"] : 0) + 1
    })
    const runId = `sync-${job}-${cycle}-${Date.now().toString(36)}`
    // The same lease as apply: a sync cycle never overlaps another cycle or an apply of the job.
    const held = options.dryRun ? undefined : yield* takeJobLease(store, {
      job,
      holder: { runId, pid: process.pid, host: os.hostname(), command: options.command },
      ttl: options.leaseTtl ?? Duration.seconds(60)
    })
    const stillHeld = held === undefined ? Effect.void : held.ensureHeld.pipe(Effect.mapError(leaseLost(job)))
    if (!options.dryRun) yield* store.startRun({ runId, command: options.command, configDigest: config.digest })

    const body = Effect.gen(function*() {
      // == read both sides: the CRM per customer, the target by list calls
      const [items, targetCases] = yield* Effect.all([
        Stream.runCollect(source.items).pipe(Effect.map(Chunk.toArray)),
        Stream.runCollect(peach.listCompanyCases()).pipe(Effect.map(Chunk.toArray))
      ], { concurrency: 2 })
      const jobTypes = new Set(compiled.caseTypes.map((t) => t.id))
      const ours = targetCases.filter((kase) => !kase.deletedAt && jobTypes.has(typeIdOf(kase as never) ?? ""))
      const targetById = new Map(ours.map((kase) => [kase.id, kase]))

      // == map the CRM's cases and pair them through the ledger
      let rejected = 0
      const mapped: Array<{ record: SourceRecord; sourceKey: string; externalId: string }> = []
      for (const item of items) {
        if (item._tag !== "Record") {
          rejected++
          continue
        }
        const result = yield* compiled.mapRecord(item)
        if (result._tag === "Rejection") rejected++
        else mapped.push({ record: item, sourceKey: result.sourceKey, externalId: result.externalId })
      }
      const ledger = yield* store.getEntries(job, mapped.map((m) => m.sourceKey))
      const byExternalId = yield* store.getEntriesByExternalId(job, ours.flatMap((k) => k.externalId ? [k.externalId] : []))
      const paired: Array<{ record: SourceRecord; sourceKey: string; target: Case }> = []
      const fresh: Array<SourceRecord> = []
      const gone: Array<GoneCase> = []
      const pairedCaseIds = new Set<string>()
      for (const m of mapped) {
        const entry = ledger.get(m.sourceKey)
        if (entry === undefined || entry.writeState !== "confirmed" || entry.caseId === null) {
          fresh.push(m.record)
          continue
        }
        const target = targetById.get(entry.caseId)
        if (target === undefined) gone.push({ sourceKey: m.sourceKey, caseId: entry.caseId, goneFrom: "target" })
        else {
          paired.push({ record: m.record, sourceKey: m.sourceKey, target })
          pairedCaseIds.add(target.id)
        }
      }
      const seenKeys = new Set(mapped.map((m) => m.sourceKey))
      const newInTarget: Array<Case> = []
      for (const kase of ours) {
        if (pairedCaseIds.has(kase.id)) continue
        const entry = kase.externalId ? byExternalId.get(kase.externalId) : undefined
        if (entry === undefined) newInTarget.push(kase)
        else if (!seenKeys.has(entry.sourceKey)) gone.push({ sourceKey: entry.sourceKey, caseId: kase.id, goneFrom: "crm" })
        // else: linked to a CRM case being (re)created this cycle through the planner, counted there.
      }

      // == decide and write each paired record: at most one update per side
      const states = yield* store.getFieldStates(job, paired.map((p) => p.sourceKey))
      const changes: Array<FieldChange> = []
      const queued: Array<QueuedField> = []
      const wars: Array<{ sourceKey: string; field: string }> = []
      const failures: Array<{ sourceKey: string; side: "crm" | "target"; message: string }> = []
      let wroteTarget = 0
      let wroteCrm = 0
      let unchanged = 0
      const conflictRecords = new Set<string>()
      // The CRM's custom property kinds say how each takes a cleared value (read once, with the mapping check).
      const caseMeta = yield* (source.caseMeta ?? crm.getMeta("case"))
      yield* Effect.forEach(paired, (p) =>
        Effect.gen(function*() {
          const typeId = typeIdOf(p.target as never) ?? ""
          const rules = rulesFor(compiled.fields, typeId, config.sync.fields ?? {}, config.sync.policy, caseMeta)
          const target = p.target as unknown as Readonly<Record<string, unknown>>
          const input: RecordSyncInput = {
            cycle,
            rules,
            states: statesWithLedgerBase(
              rules,
              states.get(p.sourceKey) ?? {},
              ledger.get(p.sourceKey)?.snapshot ?? null,
              (rule) => observe(rule, { crm: p.record.data, target, times: { crmLastUpdated: null, targetUpdatedAt: null } }).crm
            ),
            record: {
              crm: p.record.data,
              target,
              times: {
                crmLastUpdated: typeof p.record.data["lastUpdated"] === "string" ? p.record.data["lastUpdated"] : null,
                targetUpdatedAt: p.target.updatedAt ?? null
              }
            }
          }
          const decision = decideRecord(input)
          for (const rule of rules) {
            const now = observe(rule, input.record)
            const field = decision.fields[rules.indexOf(rule)]!
            if (field._tag !== "Write") continue
            if (Option.isSome(field.target)) {
              changes.push({ sourceKey: p.sourceKey, caseId: p.target.id, field: rule.field, to: "target", from: now.target, value: field.target.value, cause: field.cause })
            }
            if (Option.isSome(field.crm)) {
              changes.push({ sourceKey: p.sourceKey, caseId: p.target.id, field: rule.crmField, to: "crm", from: now.crm, value: field.crm.value, cause: field.cause })
            }
          }
          const previous = states.get(p.sourceKey) ?? {}
          for (const conflict of decision.conflicts) {
            const before = previous[conflict.field]?.conflict
            const isNew = before === undefined || Option.isNone(before) ||
              decision.fields.some((f) => f._tag === "Conflict" && f.field === conflict.field && f.reopened)
            queued.push({
              id: conflictId(job, p.sourceKey, conflict.field),
              sourceKey: p.sourceKey,
              field: conflict.field,
              reason: conflict.reason,
              detail: conflict.detail,
              crm: conflict.crm,
              target: conflict.target,
              isNew
            })
            conflictRecords.add(p.sourceKey)
          }
          wars.push(...decision.wars.map((field) => ({ sourceKey: p.sourceKey, field })))
          if (Option.isNone(decision.target) && Option.isNone(decision.crm) && decision.conflicts.length === 0) unchanged++
          // A dry run counts what it would write; a real one what it sent (below).
          if (options.dryRun) {
            if (Option.isSome(decision.target)) wroteTarget++
            if (Option.isSome(decision.crm)) wroteCrm++
            return
          }
          // A settled record costs no state-store transaction: its stored states stand as they are.
          if (keepsStoredStates(rules, previous, decision)) return
          yield* stillHeld
          // A stop signal lets this record's writes finish and their answers be recorded.
          yield* Effect.uninterruptible(Effect.gen(function*() {
            const answered: { -readonly [K in keyof Answered]: Answered[K] } = { crm: Option.none(), target: Option.none() }
            if (Option.isSome(decision.target)) {
              const write = decision.target.value
              const personId = personOf(p.target)
              yield* store.markSideSent({ job, sourceKey: p.sourceKey, side: "target", body: write.body, runId })
              const result = personId === undefined
                ? Either.left({ message: `case ${p.target.id} has no borrower to write it through`, sent: false })
                : Either.mapLeft(
                  yield* Effect.either(peach.updateCase(personId, p.target.id, write.body as CaseUpdate)),
                  (error) => ({ message: error.message, sent: !isRefusedBeforeSending(error) })
                )
              if (Either.isRight(result) || result.left.sent) wroteTarget++
              if (result._tag === "Right") {
                answered.target = Option.some(result.right as unknown as Readonly<Record<string, unknown>>)
                yield* store.markSideConfirmed(job, p.sourceKey, "target", runId)
              } else failures.push({ sourceKey: p.sourceKey, side: "target", message: result.left.message })
            }
            if (Option.isSome(decision.crm)) {
              const write = decision.crm.value
              const caseId = String(p.record.data["id"])
              yield* store.markSideSent({ job, sourceKey: p.sourceKey, side: "crm", body: write.body, runId })
              const result = yield* Effect.either(crm.updateCase(caseId, write.body as KhorosCaseUpdate))
              if (result._tag === "Right" || !isRefusedBeforeSending(result.left)) wroteCrm++
              if (result._tag === "Right") {
                answered.crm = Option.some(result.right as Readonly<Record<string, unknown>>)
                yield* store.markSideConfirmed(job, p.sourceKey, "crm", runId)
              } else failures.push({ sourceKey: p.sourceKey, side: "crm", message: result.left.message })
            }
            const next = nextStates(input, decision, answered)
            // The field states and the migrate ledger's base move together or not at all: with states
            // kept but the base not, the next cycle would see nothing to do and the base would stay behind.
            yield* store.atomically(Effect.gen(function*() {
              yield* store.putFieldStates(job, p.sourceKey, next)
              // The migrate ledger's base follows what this cycle settled, so a later plan compares against it.
              const entry = ledger.get(p.sourceKey)
              if (entry?.writeState !== "confirmed" || entry.snapshot === null || entry.caseId === null || entry.location === null) return
              const snapshot = snapshotAfterCycle(rules, entry.snapshot, next)
              if (snapshot === undefined) return
              const written = Option.flatMap(answered.target, (kase) => Option.fromNullable(kase["updatedAt"]))
              yield* store.markConfirmed({ job, sourceKey: p.sourceKey, location: entry.location }, {
                caseId: entry.caseId,
                snapshot,
                // The target's version the ledger has seen: the one this cycle's write made, else the one it had.
                targetUpdatedAt: Option.match(written, { onNone: () => entry.targetUpdatedAt, onSome: String }),
                runId
              })
            }))
          }))
        }), { concurrency: config.applyConcurrency, discard: true })

      // == target cases with no CRM counterpart: reported, or created in the CRM
      const createdInCrm = new Map<string, string>()
      const notCreated: Array<{ sourceKey: string; side: "crm" | "target"; message: string }> = []
      // CRM cases a create never linked may have made (its answer lost, or the cycle died before the link)
      // are linked to their target case, never planned as new ones.
      // The journal's sent writes and its answered CRM creates: not every write it ever confirmed.
      const journal = [...yield* store.listSideWrites(job, "sent"), ...yield* store.listSideWrites(job, "confirmed", createKey(""))]
      const lost = lostCreates(journal, fresh, new Set(newInTarget.map((kase) => kase.id)))
      const heldBack = new Set([...lost.values()].flatMap((create) => create.candidates))
      const toPlan = fresh.filter((record) => !heldBack.has(record))
      // A create the CRM answered is completed whatever newTargetCases says now: the CRM case exists.
      const toCreate = newInTarget.filter((kase) =>
        config.sync.newTargetCases === "createInSource" || lost.get(kase.id)?.answered === true
      )
      if (toCreate.length > 0 && !options.dryRun) {
        const people = Chunk.toArray(yield* Stream.runCollect(peach.listPeople()))
        const customerOf = new Map(people.flatMap((p) => (p.externalId ? [[p.id, p.externalId] as const] : [])))
        for (const kase of toCreate) {
          yield* stillHeld
          const made = yield* createInSource({ job, runId, compiled, crm, peach, customerOf, lost }, kase)
          if (made._tag === "Created") {
            createdInCrm.set(made.caseId, made.crmId)
            if (!made.adopted) wroteCrm++
            wroteTarget++ // the target case gets the externalId that links it
          } else notCreated.push({ sourceKey: createKey(made.caseId), side: "crm", message: made.reason })
        }
      }
      failures.push(...notCreated)
      // What still waits is what the journal still holds as sent (a case adopted, then not linked, is confirmed).
      const waiting = [...lost].filter(([, create]) => !create.answered)
      const stillSent = waiting.length === 0 || options.dryRun
        ? new Set(waiting.map(([caseId]) => caseId))
        : new Set(pendingCreates(yield* store.listSideWrites(job, "sent")))
      const unanswered = waiting.flatMap(([caseId, create]) =>
        stillSent.has(caseId)
          ? [{ caseId, heldBack: create.candidates.map((record) => formatLocation(record.location)), chosen: create.chosen }]
          : []
      )

      // == new CRM cases: planned and applied exactly as migrate does (same ledger, same exactly-once rules)
      if (toPlan.length > 0 && !options.dryRun) {
        const mapper = mapperOf(compiled)
        const [targets, borrowers] = yield* Effect.all([
          indexTargetCases(Stream.fromIterable(targetCases), mapper.ownedFields),
          indexBorrowers(peach.listPeople())
        ])
        const planned = yield* planItems({
          job,
          mapper,
          source: Stream.fromIterable(toPlan),
          targets,
          borrowers
        })
        const items = Chunk.toArray(yield* Stream.runCollect(planned.items))
        const counts = yield* Effect.scoped(Effect.gen(function*() {
          const fs = yield* FileSystem.FileSystem
          yield* fs.makeDirectory(config.outputDir, { recursive: true })
          return yield* applyPlan({
            job,
            runId,
            planId: runId,
            items: Stream.fromIterable(items),
            // As migrate does: the target as this cycle read it.
            targets: lookupInIndex(targets),
            writer: peach,
            results: yield* openCsvOutput(path.join(config.outputDir, "sync-results.csv"), resultColumns),
            rejects: yield* openCsvOutput(path.join(config.outputDir, "sync-rejects.csv"), rejectColumns),
            concurrency: config.applyConcurrency,
            stillHeld
          })
        }))
        rejected += counts.reject
        wroteTarget += counts.create + counts.update
      }

      const counts: CycleCounts = {
        readCrm: items.length,
        readTarget: ours.length,
        paired: paired.length,
        newInCrm: fresh.length,
        newInTarget: newInTarget.length,
        goneFromCrm: gone.filter((g) => g.goneFrom === "crm").length,
        goneFromTarget: gone.filter((g) => g.goneFrom === "target").length,
        rejected,
        wroteTarget,
        wroteCrm,
        conflictFields: queued.length,
        conflictRecords: conflictRecords.size,
        newConflicts: queued.filter((q) => q.isNew).length,
        unchanged,
        failedWrites: failures.length
      }
      return {
        job,
        cycle,
        dryRun: options.dryRun,
        counts,
        changes,
        queued,
        wars,
        gone,
        newInTarget: newInTarget.map((kase) => ({ caseId: kase.id, createdInCrm: createdInCrm.get(kase.id) ?? null })),
        failures,
        unanswered,
        wallMillis: (yield* Clock.currentTimeMillis) - started
      } satisfies CycleOutcome
    })

    const outcome = yield* body.pipe(
      Effect.onError((cause) =>
        options.dryRun
          ? Effect.void
          : store.finishRun(runId, { outcome: Cause.isInterruptedOnly(cause) ? "interrupted" : "failed", counts: {} }).pipe(Effect.ignore)
      )
    )
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(config.outputDir, { recursive: true })
    const reportFile = path.join(config.outputDir, options.dryRun ? "sync-dry-run.md" : "sync-report.md")
    yield* fs.writeFileString(reportFile, cycleReport(outcome))
    if (!options.dryRun) {
      yield* store.putCheckpoint(job, "sync", { cycle })
      yield* store.finishRun(runId, { outcome: "succeeded", counts: { ...outcome.counts } })
    }
    return { ...outcome, reportFile, runId }
  }).pipe(Effect.scoped, Effect.withSpan("SyncCycle.run"))
