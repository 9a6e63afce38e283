import { it } from "@effect/vitest"
import { Context, Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import type { Case } from "../../src/domain/peach/Case.js"
import { KhorosCrm } from "../../src/sandbox/khoros/KhorosCrm.js"
import { sameValue } from "../../src/plan/FieldValues.js"
import { formatLocation } from "../../src/sources/SourceRecord.js"
import { StateStore } from "../../src/state/StateStore.js"
import { createKey } from "../../src/sync/CreateInSource.js"
import { viewTarget } from "../apply/e2e/TargetCheck.js"
import { cycleCost, migratedJob, type SyncJob } from "./e2e/SyncWorkspace.js"

// Two-way sync over real HTTP: the CLI in-process against a live sandbox holding the migrated
// Khoros sample. Counts are the write requests each system received, from the sandbox's stats.

const targetPut = "PUT /people/:personId/cases/:caseId"
const crmPut = "PUT /crm/case/:id"

describe("casesync sync --once against the sandbox", () => {
  it.scopedLive("a quiet cycle makes no write request; the accounting adds up", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const { line, writes, result } = yield* job.cycle()
      expect(writes).toEqual({})
      expect(line).toMatchObject({ readCrm: 40, readTarget: 38, paired: 38, newInCrm: 0, newInTarget: 0, gone: 0, rejected: 2, wroteTarget: 0, wroteCrm: 0, conflictFields: 0, unchanged: 38 })
      expect(line.readCrm).toBe(line.paired + line.newInCrm + line.rejected + line.gone)
      expect(result.exitCode).toBe(3)
    }), { timeout: 120_000 })

  it.scopedLive("a quiet cycle's printed cost is what the sandbox counted: one CRM read per customer, the target's list pages, no write", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const { result, requests } = yield* job.cycle()
      const side = (crm: boolean, reads: boolean) =>
        Object.entries(requests)
          .filter(([endpoint]) => endpoint.includes(" /crm/") === crm && endpoint.startsWith("GET ") === reads)
          .reduce((n, [, count]) => n + count, 0)
      const printed = cycleCost(result.stdout)
      expect(printed).toEqual({
        crm: { reads: side(true, true), writes: side(true, false) },
        target: { reads: side(false, true), writes: side(false, false) }
      })
      expect(printed.crm.writes + printed.target.writes).toBe(0)
      // The config's customers are the target's borrowers (`customers: borrowers`), each asked once, whether it
      // has cases or not (one that has none today may have some tomorrow), plus the mapping check's one meta read.
      const customers = (yield* job.sandbox.state.snapshot).people.length
      expect(requests["GET /crm/customer/:id/cases"]).toBe(customers)
      expect(printed.crm.reads).toBe(customers + 1)
      // The target is read by list calls only: no per-record lookup.
      expect(Object.keys(requests).filter((e) => !e.includes(" /crm/")).every((e) => !/:caseId|:id\b/.test(e))).toBe(true)
      const json = yield* job.cli("sync", "--once", "--json")
      const figures = JSON.parse(json.stdout) as { requests: unknown; wallSeconds: number }
      expect(figures.requests).toEqual(printed)
      expect(figures.wallSeconds).toBeGreaterThan(0)
    }), { timeout: 120_000 })

  it.scopedLive("a CRM edit: exactly one target write, then nothing", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ [targetPut]: 1 })
      expect(first.line).toMatchObject({ wroteTarget: 1, wroteCrm: 0, unchanged: 37 })
      expect((yield* job.targetCase("KC-10001")).customFields?.["crmPriority"]).toBe("high")
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("a target edit: exactly one CRM write, then nothing; a many-to-one reverse does not echo (canceled stays)", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.targetEdit("KC-10001", { status: "canceled" })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ [crmPut]: 1 })
      expect((yield* job.crmCase("KC-10001")).status).toBe("closed")
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
      expect((yield* job.targetCase("KC-10001")).status).toBe("canceled")
    }), { timeout: 120_000 })

  it.scopedLive("edits made between the migration and the first cycle: the ledger's snapshot is the base, so each is one-sided, not a conflict", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob([], { firstCycle: false })
      yield* job.targetEdit("KC-10001", { status: "canceled" })
      yield* job.crmEdit("KC-10002", { priority: "low" })
      const first = yield* job.cycle()
      expect(first.line).toMatchObject({ conflictFields: 0, wroteTarget: 1, wroteCrm: 1 })
      expect(first.writes).toEqual({ [targetPut]: 1, [crmPut]: 1 })
      expect((yield* job.crmCase("KC-10001")).status).toBe("closed")
      expect((yield* job.targetCase("KC-10002")).customFields?.["crmPriority"]).toBe("low")
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("edits of different fields on both sides: merged with one write per side", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      const kase = yield* job.targetCase("KC-10001")
      yield* job.targetEdit("KC-10001", { metaData: { ...kase.metaData, description: "Agreed a payment plan" } })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ [targetPut]: 1, [crmPut]: 1 })
      const [crm, target] = [yield* job.crmCase("KC-10001"), yield* job.targetCase("KC-10001")]
      expect([crm.priority, crm.description]).toEqual(["high", "Agreed a payment plan"])
      expect([target.customFields?.["crmPriority"], target.metaData?.["description"]]).toEqual(["high", "Agreed a payment plan"])
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("the same field on both sides, manual: queued, the record's other fields still sync; resolved once, never re-detected", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high", product: "auto_loan" })
      yield* job.targetEdit("KC-10001", { customFields: { ...(yield* job.targetCase("KC-10001")).customFields, crmPriority: "low" } })
      const first = yield* job.cycle()
      expect(first.line).toMatchObject({ conflictFields: 1, conflictRecords: 1, newConflicts: 1 })
      expect(first.writes).toEqual({ [targetPut]: 1 }) // crmProduct only
      expect((yield* job.targetCase("KC-10001")).customFields?.["crmProduct"]).toBe("auto_loan")

      const listed = yield* job.cli("conflicts", "--json")
      const conflicts = JSON.parse(listed.stdout).conflicts
      expect(conflicts).toMatchObject([{ sourceKey: "KC-10001", field: "customFields.crmPriority", crm: "high", target: "low" }])
      const again = yield* job.cycle()
      expect(again.writes).toEqual({})
      expect(again.line).toMatchObject({ conflictFields: 1, newConflicts: 0 })

      const resolved = yield* job.cli("conflicts", "resolve", conflicts[0].id, "--take", "crm")
      expect(resolved.exitCode, resolved.stderr).toBe(0)
      const carried = yield* job.cycle()
      expect(carried.writes).toEqual({ [targetPut]: 1 })
      expect((yield* job.targetCase("KC-10001")).customFields?.["crmPriority"]).toBe("high")
      expect(carried.line.conflictFields).toBe(0)
      expect(JSON.parse((yield* job.cli("conflicts", "--json")).stdout).conflicts).toEqual([])
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })

  for (const [policy, winner] of [["sourceWins", "high"], ["targetWins", "low"], ["newestWins", "low"]] as const) {
    it.scopedLive(`the same field on both sides, ${policy}: ${winner} on both sides, one write, then nothing`, () =>
      Effect.gen(function*() {
        const job = yield* migratedJob([`policy: ${policy}`])
        yield* job.crmEdit("KC-10001", { priority: "high" })
        // Later than the CRM's edit, so newestWins gives it to the target.
        yield* Effect.sleep("20 millis")
        yield* job.targetEdit("KC-10001", { customFields: { ...(yield* job.targetCase("KC-10001")).customFields, crmPriority: "low" } })
        const first = yield* job.cycle()
        expect(first.writes).toEqual(winner === "high" ? { [targetPut]: 1 } : { [crmPut]: 1 })
        expect((yield* job.crmCase("KC-10001")).priority).toBe(winner)
        expect((yield* job.targetCase("KC-10001")).customFields?.["crmPriority"]).toBe(winner)
        expect((yield* job.cycle()).writes).toEqual({})
      }), { timeout: 120_000 })
  }

  it.scopedLive("--dry-run decides both directions and writes nothing to either system", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      yield* job.targetEdit("KC-10002", { status: "canceled" })
      const dry = yield* job.cycle("--dry-run")
      expect(dry.writes).toEqual({})
      expect(dry.line).toMatchObject({ wroteTarget: 1, wroteCrm: 1 })
      const real = yield* job.cycle()
      expect(real.writes).toEqual({ [targetPut]: 1, [crmPut]: 1 })
    }), { timeout: 120_000 })
})

describe("casesync sync --once: cases on one side only, and a normalising server", () => {
  const crmOf = (job: { sandbox: { context: Context.Context<any> } }) => Context.get(job.sandbox.context, KhorosCrm)

  it.scopedLive("a case gone from the CRM is reported and its target case is not deleted", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* crmOf(job).removeCase("KC-10001")
      const before = yield* job.targetCase("KC-10001")
      const { line, writes, result } = yield* job.cycle()
      expect(writes).toEqual({})
      expect(line).toMatchObject({ readCrm: 39, readTarget: 38, paired: 37, gone: 1 })
      expect(result.stdout).toContain("gone from the CRM: KC-10001")
      expect(yield* job.targetCase("KC-10001")).toEqual(before)
    }), { timeout: 120_000 })

  /** A cycle that writes nothing, with every case on both sides paired. */
  const expectQuiet = (job: SyncJob, paired: number) =>
    Effect.map(job.cycle(), (quiet) => {
      expect(quiet.writes).toEqual({})
      expect(quiet.line).toMatchObject({ paired, newInCrm: 0, newInTarget: 0 })
    })

  /**
   * What a cycle leaves when it dies between journalling the CRM create of `kase` (made by
   * `newTargetCase`) and sending it: the create `sent`, with the customer and title it would send.
   */
  const journalledByADeadCycle = (job: SyncJob, kase: Case) =>
    Effect.gen(function*() {
      const customerId = (yield* job.crmCase("KC-10001")).customerId as string
      yield* Effect.flatMap(StateStore, (store) =>
        store.markSideSent({
          job: "khoros-crm",
          sourceKey: createKey(kase.id),
          side: "crm",
          body: { customerId, title: "Asked for a statement by phone" },
          runId: "a-run-that-died"
        })).pipe(Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db"))))
      return customerId
    })

  /** The CRM's cases titled as the target case `newTargetCase` makes. */
  const statementCases = (job: SyncJob) =>
    Effect.map(crmOf(job).snapshot, (s) => s.cases.filter((c) => c.title === "Asked for a statement by phone"))

  const newTargetCase = (job: SyncJob, name = "Asked for a statement by phone") =>
    Effect.gen(function*() {
      const model = yield* job.targetCase("KC-10001")
      const response = yield* Effect.promise(() =>
        fetch(`${job.sandbox.url}/people/${model.borrowerIds[0]}/cases`, {
          method: "POST",
          headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
          body: JSON.stringify({
            typeId: model.typeId,
            name,
            status: "initiated",
            openedAt: "2024-03-01T09:00:00Z",
            customFields: { ...model.customFields, crmNumber: "pending", crmPriority: "low" },
            metaData: { description: "Called in for a statement" }
          })
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: Case } }))
      )
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.data
    })

  it.scopedLive("a new CRM case is created in the target once, as migrate does, then paired", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const customerId = (yield* job.crmCase("KC-10001")).customerId
      const created = yield* crmOf(job).createCase({ customerId, title: "Asks about a deferment", status: "open", priority: "low" })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ "POST /people/:personId/cases": 1 })
      expect(first.line).toMatchObject({ readCrm: 41, paired: 38, newInCrm: 1, wroteTarget: 1 })
      const target = yield* job.targetCase(created.id)
      expect([target.name, target.status, target.customFields?.["crmPriority"]]).toEqual(["Asks about a deferment", "processing", "low"])
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
      expect(second.line).toMatchObject({ readCrm: 41, readTarget: 39, paired: 39, newInCrm: 0 })
    }), { timeout: 120_000 })

  it.scopedLive("newTargetCases: ignore (the default) reports a target case with no CRM counterpart and writes nothing", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* newTargetCase(job)
      const { line, writes } = yield* job.cycle()
      expect(writes).toEqual({})
      expect(line).toMatchObject({ readTarget: 39, paired: 38, newInTarget: 1 })
    }), { timeout: 120_000 })

  it.scopedLive("newTargetCases: createInSource creates the CRM case once through the reverse mapping and links it", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      const crmCases = (yield* crmOf(job).snapshot).cases.filter((c) => c.title === "Asked for a statement by phone")
      expect(crmCases.map((c) => [c.status, c["priority"], c.description])).toEqual([["open", "low", "Called in for a statement"]])
      const linked = (yield* viewTarget(job.sandbox)).cases.find((c) => c.id === created.id)!
      expect(linked.externalId).toBe(`khoros-${crmCases[0]!.id}`)
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
      expect(second.line).toMatchObject({ readCrm: 41, readTarget: 39, paired: 39, newInCrm: 0, newInTarget: 0 })
    }), { timeout: 120_000 })

  it.scopedLive("createInSource: once linked, the target case holds the CRM's values of the fields the CRM feeds, keeps those it fed, and the ledger's base is what it holds", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const model = yield* job.targetCase("KC-10001")
      // As a person types it: a placeholder number, and no URL, timestamp or count of the CRM's yet.
      const response = yield* Effect.promise(() =>
        fetch(`${job.sandbox.url}/people/ext-BRW-1005/cases`, {
          method: "POST",
          headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
          body: JSON.stringify({
            typeId: model.typeId,
            name: "New in target",
            status: "processing",
            openedAt: "2024-02-01T10:00:00Z",
            customFields: { crmNumber: "n/a", crmPriority: "low", crmProduct: "auto", crmEscalated: true },
            metaData: { description: "d" }
          })
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: Case } }))
      )
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      const created = response.body.data

      const first = yield* job.cycle()
      // The create, and the link: one target update carrying the externalId and the CRM's fields.
      expect(first.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      const [made] = (yield* crmOf(job).snapshot).cases.filter((c) => c.title === "New in target")
      const linked = (yield* viewTarget(job.sandbox)).cases.find((c) => c.id === created.id)!
      expect(linked.externalId).toBe(`khoros-${made!.id}`)
      // The fields the CRM feeds (toTarget) hold what the mapping makes of the CRM case, its bookkeeping too.
      expect(linked.customFields).toMatchObject({ crmNumber: made!.number, crmUrl: made!.url, crmInteractionCount: 0 })
      expect(Date.parse(String(linked.customFields?.["crmLastUpdated"]))).toBe(Date.parse(made!.lastUpdated))
      expect(Date.parse(String(linked.openedAt))).toBe(Date.parse(made!.created))
      // The fields the target fed the CRM (both) keep the target's values.
      expect([linked.name, linked.status, linked.metaData?.["description"]]).toEqual(["New in target", "processing", "d"])
      expect(linked.customFields).toMatchObject({ crmPriority: "low", crmProduct: "auto", crmEscalated: true })

      // The ledger's base is what the target holds, field by field: no sync is owed on either side.
      const entry = (yield* Effect.flatMap(StateStore, (store) => store.getEntries("khoros-crm", [made!.id])).pipe(
        Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db")))
      )).get(made!.id)!
      for (const [field, value] of Object.entries(entry.snapshot ?? {})) {
        const held = field.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], linked)
        expect(sameValue(value, held), `${field}: base ${JSON.stringify(value)}, target ${JSON.stringify(held)}`).toBe(true)
      }

      yield* expectQuiet(job, 39)
      yield* expectQuiet(job, 39)
      const reconciled = JSON.parse((yield* job.cli("reconcile", "--json")).stdout) as {
        reconcile: { drift: ReadonlyArray<{ externalId: string; fields: ReadonlyArray<unknown> }> }
      }
      expect(reconciled.reconcile.drift.filter((d) => d.externalId === `khoros-${made!.id}`)).toEqual([])
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, the CRM's answer lost after it created the case: the next cycle links that case, never a second case on either side", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const titled = statementCases(job)
      yield* job.sandbox.knobs.set({ commitThenDropRate: 1 })
      const lost = yield* job.cycle()
      yield* job.sandbox.knobs.set({ commitThenDropRate: 0 })
      expect(lost.writes).toEqual({ "POST /crm/case": 1 })
      expect((yield* titled).length).toBe(1) // the CRM made it; casesync never heard

      const healed = yield* job.cycle()
      expect(healed.writes).toEqual({ [targetPut]: 1 }) // the link, and no create anywhere
      const crmCases = yield* titled
      expect(crmCases.length).toBe(1)
      const view = yield* viewTarget(job.sandbox)
      expect(view.cases.filter((c) => c.name === "Asked for a statement by phone").map((c) => [c.id, c.externalId]))
        .toEqual([[created.id, `khoros-${crmCases[0]!.id}`]])
      yield* expectQuiet(job, 39)
    }), { timeout: 120_000 })

  /**
   * What a cycle leaves when it dies after the CRM answered the create of `kase` and the answer was
   * journalled, but before the link: the CRM case made (here by the sandbox itself), the create
   * `confirmed` with the id the answer gave (`keptId: false`: none, as the journal held before it kept it),
   * no externalId on the target case, and no ledger entry (`ledgerSent`: the link's, journalled sent).
   */
  const answeredByADeadCycle = (job: SyncJob, kase: Case, options: { readonly keptId: boolean; readonly ledgerSent?: boolean }) =>
    Effect.gen(function*() {
      const customerId = (yield* job.crmCase("KC-10001")).customerId as string
      // The body the create would have sent: the reverse of the target case's `direction: both` fields.
      const body = {
        customerId,
        title: "Asked for a statement by phone",
        status: "open",
        priority: "low",
        product: kase.customFields?.["crmProduct"],
        escalated: kase.customFields?.["crmEscalated"],
        description: "Called in for a statement"
      }
      const made = yield* crmOf(job).createCase(body)
      yield* Effect.flatMap(StateStore, (store) =>
        Effect.zipRight(
          store.markSideSent({ job: "khoros-crm", sourceKey: createKey(kase.id), side: "crm", body, runId: "a-run-that-died" }),
          Effect.zipRight(
            store.markSideConfirmed("khoros-crm", createKey(kase.id), "crm", "a-run-that-died", options.keptId ? made.id : undefined),
            // Died a step later: the ledger row of the link journalled sent, the target's externalId not yet written.
            options.ledgerSent !== true ? Effect.void : Effect.gen(function*() {
              const item = { job: "khoros-crm", sourceKey: made.id, location: formatLocation({ _tag: "khoros", customerId, caseId: made.id }) }
              yield* store.recordPlanned([{ ...item, externalId: `khoros-${made.id}`, caseId: kase.id, action: "update", runId: "a-run-that-died" }])
              yield* store.markSent(item, "a-run-that-died")
            })
          )
        )).pipe(Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db"))))
      return made
    })

  it.scopedLive("createInSource, a cycle that died after the CRM's answer was journalled, before the link: the next cycle links the case it made, never a second case on either side", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const made = yield* answeredByADeadCycle(job, created, { keptId: true })
      // Someone enters a case of the same customer and title in the CRM by hand: the answer says which one is ours.
      const byHand = yield* crmOf(job).createCase({ customerId: made.customerId, title: made.title, status: "open", priority: "high" })

      const healed = yield* job.cycle()
      // The link, and the hand-made case created in the target as a CRM case of its own: no CRM create.
      expect(healed.writes).toEqual({ [targetPut]: 1, "POST /people/:personId/cases": 1 })
      expect(healed.result.stdout).not.toContain("waiting for an answer")
      expect((yield* statementCases(job)).length).toBe(2)
      const view = yield* viewTarget(job.sandbox)
      expect(view.cases.find((c) => c.id === created.id)!.externalId).toBe(`khoros-${made.id}`)
      expect(view.cases.filter((c) => c.name === "Asked for a statement by phone").map((c) => c.externalId).sort())
        .toEqual([`khoros-${made.id}`, `khoros-${byHand.id}`].sort())
      yield* expectQuiet(job, 40)
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, the same death with a journal that kept no id from the answer: the one unlinked CRM case of its customer and title is linked", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const made = yield* answeredByADeadCycle(job, created, { keptId: false })

      const healed = yield* job.cycle()
      expect(healed.writes).toEqual({ [targetPut]: 1 })
      expect((yield* statementCases(job)).map((c) => c.id)).toEqual([made.id])
      const view = yield* viewTarget(job.sandbox)
      expect(view.cases.filter((c) => c.name === "Asked for a statement by phone").map((c) => [c.id, c.externalId]))
        .toEqual([[created.id, `khoros-${made.id}`]])
      yield* expectQuiet(job, 39)
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, a cycle that died during the link (its ledger row sent, the target's externalId not written): the next cycle finishes that link", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const made = yield* answeredByADeadCycle(job, created, { keptId: true, ledgerSent: true })

      const healed = yield* job.cycle()
      expect(healed.writes).toEqual({ [targetPut]: 1 })
      expect((yield* statementCases(job)).map((c) => c.id)).toEqual([made.id])
      expect((yield* viewTarget(job.sandbox)).cases.find((c) => c.id === created.id)!.externalId).toBe(`khoros-${made.id}`)
      yield* expectQuiet(job, 39)
    }), { timeout: 120_000 })

  it.scopedLive("newTargetCases: ignore, after a createInSource cycle died before the link: the case the CRM made is still linked, not created in the target", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const created = yield* newTargetCase(job)
      // Left by a cycle that ran under createInSource.
      const made = yield* answeredByADeadCycle(job, created, { keptId: true })

      const healed = yield* job.cycle()
      expect(healed.writes).toEqual({ [targetPut]: 1 })
      expect((yield* viewTarget(job.sandbox)).cases.find((c) => c.id === created.id)!.externalId).toBe(`khoros-${made.id}`)
      yield* expectQuiet(job, 39)
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, a lost answer and a look-alike CRM case: held for a person, who names the one it made; that one is linked, the other synced as its own", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const titled = statementCases(job)
      yield* job.sandbox.knobs.set({ commitThenDropRate: 1 })
      yield* job.cycle()
      yield* job.sandbox.knobs.set({ commitThenDropRate: 0 })
      const [made] = yield* titled
      // Meanwhile someone enters a case of the same customer and title in the CRM by hand.
      const byHand = yield* crmOf(job).createCase({ customerId: made!.customerId, title: made!.title, status: "open", priority: "high" })

      const held = yield* job.cycle()
      expect(held.writes).toEqual({})
      expect(held.result.exitCode).toBe(3)
      // Both held back (counted as new in the CRM, created nowhere) while the target case waits.
      expect(held.line).toMatchObject({ newInCrm: 2, newInTarget: 1 })
      const report = fs.readFileSync(path.join(job.dir, "out", "sync-report.md"), "utf8")
      expect(report).toContain(`casesync sync resolve-create ${created.id} --crm-case <id>`)

      const unknown = yield* job.cli("sync", "resolve-create", "no-such-case", "--not-created")
      expect(unknown.exitCode).toBe(2)
      expect(unknown.stderr).toContain(`these are: ${created.id}`)
      const both = yield* job.cli("sync", "resolve-create", created.id, "--not-created", "--crm-case", made!.id)
      expect(both.exitCode).toBe(2)
      const named = yield* job.cli("sync", "resolve-create", created.id, "--crm-case", made!.id)
      expect(named.exitCode, named.stderr).toBe(0)
      expect(named.stdout).toContain(`CRM case ${made!.id} is the one made for target case ${created.id}`)

      const linked = yield* job.cycle()
      // The link for the one it made; the one entered by hand is a new CRM case, created in the target.
      expect(linked.writes).toEqual({ [targetPut]: 1, "POST /people/:personId/cases": 1 })
      expect((yield* titled).length).toBe(2)
      const view = yield* viewTarget(job.sandbox)
      expect(view.cases.filter((c) => c.name === "Asked for a statement by phone").map((c) => c.externalId).sort())
        .toEqual([`khoros-${made!.id}`, `khoros-${byHand.id}`].sort())
      expect(view.cases.find((c) => c.id === created.id)!.externalId).toBe(`khoros-${made!.id}`)
      yield* expectQuiet(job, 40)
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, a create journalled by a process that died before sending it: held for a person; once told it made nothing, the next cycle creates it once", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job)
      const titled = statementCases(job)
      yield* journalledByADeadCycle(job, created)

      const held = yield* job.cycle()
      expect(held.writes).toEqual({})
      expect(held.line).toMatchObject({ newInTarget: 1 })
      expect((yield* titled).length).toBe(0)

      // Not while another run writes the job (here one that holds its lease, alive): it says which.
      const busy = yield* Effect.scoped(Effect.flatMap(StateStore, (store) =>
        Effect.zipRight(
          store.withLease({ name: "apply:khoros-crm", holder: { runId: "a-running-cycle", pid: process.pid, host: os.hostname(), command: "casesync sync" }, ttl: "60 seconds" }),
          job.cli("sync", "resolve-create", created.id, "--not-created")
        ))).pipe(Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db"))))
      expect(busy.exitCode).toBe(1)
      expect(busy.stderr).toContain("held by run a-running-cycle")

      const told = yield* job.cli("sync", "resolve-create", created.id, "--not-created")
      expect(told.exitCode, told.stderr).toBe(0)
      const again = yield* job.cycle()
      expect(again.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      const crmCases = yield* titled
      expect(crmCases.length).toBe(1)
      expect((yield* viewTarget(job.sandbox)).cases.find((c) => c.id === created.id)!.externalId).toBe(`khoros-${crmCases[0]!.id}`)
      yield* expectQuiet(job, 39)
      // Answered: nothing is waiting any more.
      expect((yield* job.cli("sync", "resolve-create", created.id, "--not-created")).exitCode).toBe(2)
    }), { timeout: 120_000 })

  it.scopedLive("newTargetCases: ignore, with a CRM create still waiting for an answer: its look-alike is held back and said so in the report, until a person answers", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const created = yield* newTargetCase(job)
      // Left by a cycle that ran under createInSource.
      const customerId = yield* journalledByADeadCycle(job, created)
      const lookAlike = yield* crmOf(job).createCase({ customerId, title: "Asked for a statement by phone", status: "open", priority: "low" })

      const held = yield* job.cycle()
      expect(held.writes).toEqual({})
      expect(held.result.exitCode).toBe(3)
      expect(held.result.stdout).toContain(`waiting for an answer: the CRM create for target case ${created.id}`)
      const report = fs.readFileSync(path.join(job.dir, "out", "sync-report.md"), "utf8")
      expect(report).toContain("## CRM creates waiting for an answer (1)")
      expect(report).toContain(`- target case ${created.id}: customer ${customerId} / case ${lookAlike.id} held back (not synced) while it waits`)
      const status = yield* job.cli("status")
      expect(status.stdout).toContain(`sync: 1 CRM creates waiting for an answer, for target cases ${created.id} (casesync sync resolve-create)`)

      expect((yield* job.cli("sync", "resolve-create", created.id, "--not-created")).exitCode).toBe(0)
      const synced = yield* job.cycle()
      // No longer held: a CRM case of its own, created in the target; the target case stays unlinked (ignore).
      expect(synced.writes).toEqual({ "POST /people/:personId/cases": 1 })
      expect(synced.result.stdout).not.toContain("waiting for an answer")
      expect((yield* job.cli("status")).stdout).not.toContain("waiting for an answer")
      expect((yield* job.targetCase(lookAlike.id)).name).toBe("Asked for a statement by phone")
    }), { timeout: 120_000 })

  it.scopedLive("createInSource, a create the CRM refuses: reported as refused, and sent again once the target case is fixed", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const created = yield* newTargetCase(job, "   ")
      const refused = yield* job.cycle()
      expect(refused.writes).toEqual({ "POST /crm/case": 1 })
      const report = () => fs.readFileSync(path.join(job.dir, "out", "sync-report.md"), "utf8")
      expect(report()).toContain("the CRM refused the create")
      // A refusal made nothing: the next cycle asks again, and says why it failed again.
      const still = yield* job.cycle()
      expect(still.writes).toEqual({ "POST /crm/case": 1 })
      expect(report()).toContain("the CRM refused the create")

      yield* Effect.promise(() =>
        fetch(`${job.sandbox.url}/people/${created.borrowerIds[0]}/cases/${created.id}`, {
          method: "PUT",
          headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
          body: JSON.stringify({ name: "Asked for a statement by phone" })
        }).then((r) => expect(r.status).toBe(200))
      )
      const made = yield* job.cycle()
      expect(made.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      yield* expectQuiet(job, 39)
    }), { timeout: 120_000 })

  it.scopedLive("a CRM that normalises what it is sent: the base is its answer, so no second write", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* crmOf(job).normaliseUpdates((update) =>
        typeof update.description === "string" ? { ...update, description: update.description.trim() } : update
      )
      const kase = yield* job.targetCase("KC-10001")
      yield* job.targetEdit("KC-10001", { metaData: { ...kase.metaData, description: "  Agreed a payment plan  " } })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({ [crmPut]: 1 })
      expect((yield* job.crmCase("KC-10001")).description).toBe("Agreed a payment plan")
      expect((yield* job.cycle()).writes).toEqual({})
      expect((yield* job.targetCase("KC-10001")).metaData?.["description"]).toBe("  Agreed a payment plan  ")
    }), { timeout: 120_000 })
})

describe("casesync sync --once: a field a person clears", () => {
  const crmOf = (job: { sandbox: { context: Context.Context<any> } }) => Context.get(job.sandbox.context, KhorosCrm)

  it.scopedLive("a description cleared on the target reaches the CRM as empty text: one CRM write, then nothing", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const kase = yield* job.targetCase("KC-10002")
      yield* job.targetEdit("KC-10002", { metaData: { ...kase.metaData, description: null } })
      const first = yield* job.cycle()
      expect(first.result.stdout).not.toContain("failed writes")
      expect(first.writes).toEqual({ [crmPut]: 1 })
      expect(first.line).toMatchObject({ wroteCrm: 1, wroteTarget: 0, conflictFields: 0 })
      expect((yield* job.crmCase("KC-10002")).description).toBe("")
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
      expect(second.line).toMatchObject({ wroteCrm: 0, wroteTarget: 0, conflictFields: 0 })
      expect((yield* job.targetCase("KC-10002")).metaData?.["description"] ?? null).toBeNull()
    }), { timeout: 120_000 })

  it.scopedLive("a priority cleared on the target, which the CRM's list cannot hold, is queued once for a person and never sent", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const kase = yield* job.targetCase("KC-10001")
      yield* job.targetEdit("KC-10001", { customFields: { ...kase.customFields, crmPriority: null } })
      const first = yield* job.cycle()
      expect(first.writes).toEqual({})
      expect(first.line).toMatchObject({ wroteCrm: 0, conflictFields: 1, newConflicts: 1 })
      const report = fs.readFileSync(path.join(job.dir, "out", "sync-report.md"), "utf8")
      expect(report).toContain("cannotClear")
      expect(report).toContain("the CRM cannot clear priority")
      const second = yield* job.cycle()
      expect(second.writes).toEqual({})
      expect(second.line).toMatchObject({ wroteCrm: 0, conflictFields: 1, newConflicts: 0 })
    }), { timeout: 120_000 })

  it.scopedLive("a CRM write refused before sending is reported as a failed write and not counted as written", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const kase = yield* job.targetCase("KC-10002")
      // The target's metaData takes any JSON; the CRM's description is text, so the client refuses the body.
      yield* job.targetEdit("KC-10002", { metaData: { ...kase.metaData, description: 42 } })
      const { line, writes, result } = yield* job.cycle()
      expect(writes).toEqual({})
      expect(line).toMatchObject({ wroteCrm: 0, wroteTarget: 0 })
      expect(cycleCost(result.stdout).crm.writes).toBe(0)
      expect(result.stdout).toContain("failed writes 1")
      expect(result.exitCode).toBe(3)
      expect(fs.readFileSync(path.join(job.dir, "out", "sync-report.md"), "utf8")).toContain("refused before sending")
    }), { timeout: 120_000 })

  it.scopedLive("createInSource: a target case without product or escalated is created with those fields left out", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob(["newTargetCases: createInSource"])
      const model = yield* job.targetCase("KC-10001")
      const { crmProduct: _product, crmEscalated: _escalated, ...customFields } = model.customFields as Record<string, unknown>
      const response = yield* Effect.promise(() =>
        fetch(`${job.sandbox.url}/people/${model.borrowerIds[0]}/cases`, {
          method: "POST",
          headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
          body: JSON.stringify({
            typeId: model.typeId,
            name: "Asked about a fee",
            status: "initiated",
            openedAt: "2024-03-01T09:00:00Z",
            customFields: { ...customFields, crmNumber: "pending", crmPriority: "low" },
            metaData: { description: "Called about a fee" }
          })
        }).then(async (r) => ({ status: r.status, body: await r.text() }))
      )
      expect(response.status, response.body).toBe(200)
      const first = yield* job.cycle()
      expect(first.result.stdout).not.toContain("failed writes")
      expect(first.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      const made = (yield* crmOf(job).snapshot).cases.filter((c) => c.title === "Asked about a fee")
      expect(made).toHaveLength(1)
      expect("product" in made[0]! || "escalated" in made[0]!).toBe(false)
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })
})
