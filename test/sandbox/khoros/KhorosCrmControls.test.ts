import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeKhorosCrm } from "../../../src/sandbox/khoros/KhorosCrm.js"

// The in-process controls tests and the demo use to act as an agent on the sandbox CRM.
describe("sandbox CRM controls", () => {
  it.effect("removeCase deletes a case as an agent would (the customer's list no longer has it); an unknown id is CASE_NOT_FOUND", () =>
    Effect.gen(function*() {
      const crm = yield* makeKhorosCrm()
      const kase = yield* crm.lookupCase("KC-10001")
      yield* crm.removeCase("KC-10001")
      expect((yield* crm.findCases(kase.customerId)).map((c) => c.id)).not.toContain("KC-10001")
      expect((yield* Effect.flip(crm.lookupCase("KC-10001"))).status).toBe(404)
      expect((yield* Effect.flip(crm.removeCase("KC-10001"))).error).toBe("CASE_NOT_FOUND")
    }))

  it.effect("normaliseUpdates stores what the normaliser makes of an update, bumps lastUpdated, and reset stores updates as sent again", () =>
    Effect.gen(function*() {
      const crm = yield* makeKhorosCrm()
      const before = yield* crm.lookupCase("KC-10001")
      yield* crm.normaliseUpdates((update) => ({ ...update, description: update.description?.trim() }))
      const answered = yield* crm.updateCase("KC-10001", { description: "  trimmed  " })
      expect(answered.description).toBe("trimmed")
      expect(answered.lastUpdated).not.toBe(before.lastUpdated)
      yield* crm.reset
      expect((yield* crm.updateCase("KC-10001", { description: "  kept  " })).description).toBe("  kept  ")
    }))
})
