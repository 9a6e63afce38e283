import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { createTargetCase, crmOf } from "./e2e/CreateInSourceFixtures.js"
import { cycleCost, migratedJob } from "./e2e/SyncWorkspace.js"

// Two-way sync of a field a person clears on the target, over real HTTP: the CLI in-process
// against a live sandbox holding the migrated Khoros sample (see SyncCycle.e2e.test.ts).

const targetPut = "PUT /people/:personId/cases/:caseId"
const crmPut = "PUT /crm/case/:id"

describe("casesync sync --once: a field a person clears", () => {

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
      yield* createTargetCase(job, model.borrowerIds[0]!, {
        typeId: model.typeId,
        name: "Asked about a fee",
        status: "initiated",
        openedAt: "2024-03-01T09:00:00Z",
        customFields: { ...customFields, crmNumber: "pending", crmPriority: "low" },
        metaData: { description: "Called about a fee" }
      })
      const first = yield* job.cycle()
      expect(first.result.stdout).not.toContain("failed writes")
      expect(first.writes).toEqual({ "POST /crm/case": 1, [targetPut]: 1 })
      const made = (yield* crmOf(job).snapshot).cases.filter((c) => c.title === "Asked about a fee")
      expect(made).toHaveLength(1)
      expect("product" in made[0]! || "escalated" in made[0]!).toBe(false)
      expect((yield* job.cycle()).writes).toEqual({})
    }), { timeout: 120_000 })
})
