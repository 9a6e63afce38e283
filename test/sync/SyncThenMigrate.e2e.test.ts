import { it } from "@effect/vitest"
import { Effect } from "effect"
import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { migratedJob, type SyncJob } from "./e2e/SyncWorkspace.js"

// Sync and migrate share the job's ledger: what a cycle settled is the base a later plan
// compares against, so an edit made after the cycle is a one-sided change, not a conflict.

const targetPut = "PUT /people/:personId/cases/:caseId"
const crmPut = "PUT /crm/case/:id"

const planCounts = (job: SyncJob) =>
  Effect.map(job.cli("plan", "--json"), (result) => (JSON.parse(result.stdout) as { plan: { counts: Record<string, number> } }).plan.counts)

/** The fields each planned update or conflict of the plan would change, by externalId. */
const plannedFields = (job: SyncJob) =>
  Effect.gen(function*() {
    const result = yield* job.cli("plan", "--json")
    const planFile = (JSON.parse(result.stdout) as { plan: { planFile: string } }).plan.planFile
    const fields: Record<string, Array<string>> = {}
    for (const line of fs.readFileSync(planFile, "utf8").split("\n")) {
      if (!line.startsWith("{\"_tag\":\"update\"") && !line.startsWith("{\"_tag\":\"conflict\"")) continue
      const item = JSON.parse(line.replace(/,$/, "")) as { externalId: string; changes?: Array<{ field: string }>; conflicts?: Array<{ field: string }> }
      fields[item.externalId] = [...(item.changes ?? []), ...(item.conflicts ?? [])].map((c) => c.field)
    }
    return fields
  })

describe("a plan after sync cycles", () => {
  it.scopedLive("a target edit the cycle carried to the CRM through a many-to-one map (canceled → closed) is not undone by the next plan", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.targetEdit("KC-10001", { status: "canceled" })
      expect((yield* job.cycle()).writes).toEqual({ [crmPut]: 1 })
      expect((yield* job.crmCase("KC-10001")).status).toBe("closed")
      // closed maps to completed, but the CRM holds what the cycle wrote back: the target's canceled stands.
      const fields = yield* plannedFields(job)
      expect(Object.values(fields).flat()).not.toContain("status")
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("a cycle wrote the target from the CRM; a CRM edit after it is an update in the next plan", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      expect((yield* job.cycle()).writes).toEqual({ [targetPut]: 1 })
      yield* job.crmEdit("KC-10001", { priority: "low" })
      expect(yield* planCounts(job)).toMatchObject({ update: 1, conflict: 0 })
    }), { timeout: 120_000 })

  it.scopedLive("a cycle wrote the CRM from the target; a CRM edit after it is an update in the next plan", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const kase = yield* job.targetCase("KC-10001")
      yield* job.targetEdit("KC-10001", { customFields: { ...kase.customFields, crmPriority: "high" } })
      expect((yield* job.cycle()).writes).toEqual({ [crmPut]: 1 })
      yield* job.crmEdit("KC-10001", { priority: "low" })
      expect(yield* planCounts(job)).toMatchObject({ update: 1, conflict: 0 })
    }), { timeout: 120_000 })

  it.scopedLive("a field the cycle queued as a conflict stays one in the plan: its base does not move", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const kase = yield* job.targetCase("KC-10001")
      yield* job.crmEdit("KC-10001", { priority: "high" })
      yield* job.targetEdit("KC-10001", { customFields: { ...kase.customFields, crmPriority: "low" } })
      expect((yield* job.cycle()).line).toMatchObject({ conflictFields: 1 })
      expect(yield* planCounts(job)).toMatchObject({ update: 0, conflict: 1 })
    }), { timeout: 120_000 })

  it.scopedLive("a cycle that dies between a record's field states and its ledger snapshot leaves neither: the next cycle settles both", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      // The process dies at the ledger write: the store refuses it, as a kill at that instant would.
      const db = new Database(path.join(job.dir, "state.db"))
      db.exec("CREATE TRIGGER died_here BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the process died here'); END")
      db.close()
      const died = yield* job.cli("sync", "--once")
      expect(died.exitCode, died.stdout).not.toBe(0)
      expect(died.stderr).toMatch(/marking khoros-crm\/KC-10001 confirmed/)
      const healed = new Database(path.join(job.dir, "state.db"))
      healed.exec("DROP TRIGGER died_here")
      healed.close()

      // The write reached the target; what the cycle recorded of it is gone with the ledger's, so this cycle records both.
      const next = yield* job.cycle()
      expect(next.writes).toEqual({})
      yield* job.crmEdit("KC-10001", { priority: "low" })
      expect(yield* planCounts(job)).toMatchObject({ update: 1, conflict: 0 })
    }), { timeout: 120_000 })
})
