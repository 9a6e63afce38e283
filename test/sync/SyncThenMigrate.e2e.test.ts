import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { migratedJob, type SyncJob } from "./e2e/SyncWorkspace.js"

// Sync and migrate share the job's ledger: what a cycle settled is the base a later plan
// compares against, so an edit made after the cycle is a one-sided change, not a conflict.

const targetPut = "PUT /people/:personId/cases/:caseId"
const crmPut = "PUT /crm/case/:id"

const planCounts = (job: SyncJob) =>
  Effect.map(job.cli("plan", "--json"), (result) => (JSON.parse(result.stdout) as { plan: { counts: Record<string, number> } }).plan.counts)

describe("a plan after sync cycles", () => {
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
})
