import { it } from "@effect/vitest"
import { Context, Effect } from "effect"
import { describe, expect } from "vitest"
import { KhorosCrm } from "../../src/sandbox/khoros/KhorosCrm.js"
import { newTargetCase } from "./e2e/CreateInSourceFixtures.js"
import { cycleCost, migratedJob } from "./e2e/SyncWorkspace.js"

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
