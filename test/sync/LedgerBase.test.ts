import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { syncedAt, unsynced } from "../../src/sync/FieldState.js"
import { baseFromLedger, snapshotAfterCycle, sourceAtBase, unknownCrmBase } from "../../src/sync/LedgerBase.js"
import { compile, crm } from "../mapping/MappingFixtures.js"
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

// After a cycle, the ledger's snapshot follows what sync settled, so a later plan's base is current.
describe("the ledger's snapshot after a cycle", () => {
  const queued = (state: ReturnType<typeof syncedAt>) => ({
    ...state,
    conflict: Option.some({ field: "name", reason: "bothChanged" as const, detail: "", crm: "b", target: "c", base: state.base, since: 1, resolution: Option.none() })
  })

  it("a settled field takes its base's target value; one in conflict, one never synced and one sync has no rule for keep theirs", () => {
    const snapshot = { status: "initiated", name: "Card lost", amount: 5 }
    const states = {
      status: syncedAt({ crm: "closed", target: "completed" }),
      name: queued(syncedAt({ crm: "a", target: "Card found" }))
    }
    expect(snapshotAfterCycle([status(), name()], snapshot, states)).toEqual({ status: "completed", name: "Card lost", amount: 5 })
    expect(snapshotAfterCycle([status(), name()], snapshot, { status: unsynced })).toBeUndefined()
  })

  it("nothing to write when every settled value is already the snapshot's (instants compared as instants)", () => {
    const rule = status({ field: "openedAt", crmField: "created" })
    const states = { openedAt: syncedAt({ crm: "x", target: "2024-01-01T05:00:00.000Z" }), status: syncedAt({ crm: "open", target: "initiated" }) }
    expect(snapshotAfterCycle([rule, status()], { openedAt: "2024-01-01T00:00:00.000-05:00", status: "initiated" }, states)).toBeUndefined()
  })

  it("a field the snapshot did not hold is added once settled", () => {
    expect(snapshotAfterCycle([status()], {}, { status: syncedAt({ crm: "open", target: null }) })).toEqual({ status: null })
  })
})

describe("what the source maps to while it holds what sync wrote back (sourceAtBase)", () => {
  const mapping = crm([
    "  name: { from: title, trim: true }",
    "  status:",
    "    from: status",
    "    map: { open: processing, closed: completed }",
    "    reverse: { initiated: open, processing: open, reopened: open, completed: closed, canceled: closed }",
    "    direction: both"
  ].join("\n"))

  it.effect("a two-way field's base through its reverse and forward: canceled went back as closed, which is completed; a one-way field has none", () =>
    Effect.gen(function*() {
      const atBase = sourceAtBase((yield* compile(mapping)).fields)
      expect(atBase("106", { status: "canceled", name: "Card stolen" })).toEqual({ status: "completed" })
      expect(atBase("106", { status: "processing" })).toEqual({ status: "processing" })
      expect(atBase("106", { name: "Card stolen" })).toBeUndefined()
    }))
})
