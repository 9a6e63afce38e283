import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { baseFromLedger, unknownCrmBase } from "../../src/sync/LedgerBase.js"
import { name, status } from "./SyncFixtures.js"

// The base of a field sync has not seen yet comes from the ledger's snapshot of what migrate wrote.
describe("the base from the ledger's snapshot", () => {
  it("the target's base is the snapshot; the CRM's is its value while it still maps to the snapshot", () => {
    expect(baseFromLedger(status(), { status: "processing" }, "open").base).toEqual(Option.some({ crm: "open", target: "processing" }))
  })

  it("a CRM changed since the migration gets the snapshot brought back through the reverse, or an unknown base without one", () => {
    expect(baseFromLedger(status(), { status: "processing" }, "closed").base).toEqual(Option.some({ crm: "open", target: "processing" }))
    expect(baseFromLedger(name(), { name: "Card stolen" }, "Card lost").base).toEqual(Option.some({ crm: unknownCrmBase, target: "Card stolen" }))
  })

  it("no snapshot, or a field it does not hold, is a field never synced", () => {
    expect(baseFromLedger(status(), null, "open").base).toEqual(Option.none())
    expect(baseFromLedger(status(), { name: "x" }, "open").base).toEqual(Option.none())
  })
})
