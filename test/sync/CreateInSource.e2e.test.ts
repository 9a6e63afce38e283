import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { sameValue } from "../../src/plan/FieldValues.js"
import { StateStore } from "../../src/state/StateStore.js"
import { viewTarget } from "../apply/e2e/TargetCheck.js"
import { answeredByADeadCycle, createTargetCase, crmOf, expectQuiet, journalledByADeadCycle, newTargetCase, statementCases } from "./e2e/CreateInSourceFixtures.js"
import { migratedJob } from "./e2e/SyncWorkspace.js"

// Two-way sync of target cases with no CRM counterpart under newTargetCases: createInSource, over
// real HTTP (see SyncCycle.e2e.test.ts): each is created in the CRM once, whatever dies when.

const targetPut = "PUT /people/:personId/cases/:caseId"

describe("casesync sync --once: newTargetCases: createInSource", () => {
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
      const created = yield* createTargetCase(job, "ext-BRW-1005", {
        typeId: model.typeId,
        name: "New in target",
        status: "processing",
        openedAt: "2024-02-01T10:00:00Z",
        customFields: { crmNumber: "n/a", crmPriority: "low", crmProduct: "auto", crmEscalated: true },
        metaData: { description: "d" }
      })

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
})
