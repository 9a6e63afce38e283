import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as NodePath from "node:path"
import { loadMapping } from "../../src/mapping/index.js"
import type { SourceRecord } from "../../src/sources/SourceRecord.js"
import type { SideWriteEntry } from "../../src/state/SyncStates.js"
import { createKey, crmCreateBody, linkUpdate, lostCreates } from "../../src/sync/CreateInSource.js"
import { caseTypes, mapped, root, sampleConfig } from "../mapping/MappingFixtures.js"

const crmCase = (caseId: string, customerId: string, title: string): SourceRecord => ({
  _tag: "Record",
  location: { _tag: "khoros", customerId, caseId },
  data: { id: caseId, customerId, title, status: "open" }
})

const sent = (caseId: string, body: unknown, side: SideWriteEntry["side"] = "crm", resolvedAs: string | null = null): SideWriteEntry => ({
  job: "j", sourceKey: createKey(caseId), side, writeState: "sent", body, runId: "r1", updatedAt: "2026-12-02T10:00:00Z", resolvedAs
})
const idsOf = (lost: ReturnType<typeof lostCreates>, caseId: string) => lost.get(caseId)!.candidates.map((r) => r.data["id"])

describe("lostCreates: the CRM cases an unanswered create may have made", () => {
  const unlinked = [
    crmCase("KC-1", "BRW-1", "Asked for a statement"),
    crmCase("KC-2", "BRW-2", "Asked for a statement"),
    crmCase("KC-3", "BRW-1", "Something else")
  ]

  it("are the unlinked cases of the same customer and title", () => {
    const lost = lostCreates([sent("case-9", { customerId: "BRW-1", title: "Asked for a statement", description: "x" })], unlinked, new Set())
    expect([...lost.keys()]).toEqual(["case-9"])
    expect(idsOf(lost, "case-9")).toEqual(["KC-1"])
    expect(lost.get("case-9")!.chosen).toBeNull()
  })

  it("may be none (the create never landed) or several (a person must choose)", () => {
    const none = lostCreates([sent("case-9", { customerId: "BRW-3", title: "Asked for a statement" })], unlinked, new Set())
    expect(idsOf(none, "case-9")).toEqual([])
    const twice = [...unlinked, crmCase("KC-4", "BRW-1", "Asked for a statement")]
    const several = lostCreates([sent("case-9", { customerId: "BRW-1", title: "Asked for a statement" })], twice, new Set())
    expect(idsOf(several, "case-9")).toEqual(["KC-1", "KC-4"])
  })

  it("once a person has named the case it made, are that case alone, whatever its title now, if it is its customer's", () => {
    const body = { customerId: "BRW-1", title: "Asked for a statement" }
    const twice = [...unlinked, crmCase("KC-4", "BRW-1", "Asked for a statement")]
    const chosen = lostCreates([sent("case-9", body, "crm", "KC-4")], twice, new Set())
    expect(idsOf(chosen, "case-9")).toEqual(["KC-4"])
    expect(chosen.get("case-9")!.chosen).toBe("KC-4")
    // Retitled in the CRM since: the person's word is what counts.
    expect(idsOf(lostCreates([sent("case-9", body, "crm", "KC-3")], unlinked, new Set()), "case-9")).toEqual(["KC-3"])
    // Another customer's case, or one that is linked already (not among the unlinked), is none.
    expect(idsOf(lostCreates([sent("case-9", body, "crm", "KC-2")], unlinked, new Set()), "case-9")).toEqual([])
    expect(idsOf(lostCreates([sent("case-9", body, "crm", "KC-77")], unlinked, new Set()), "case-9")).toEqual([])
  })

  it("come only from CRM creates: a pending field write to either side is not one", () => {
    const update: SideWriteEntry = { ...sent("x", { customerId: "BRW-1", title: "Asked for a statement" }), sourceKey: "KC-1" }
    const targetSide = sent("case-9", { customerId: "BRW-1", title: "Asked for a statement" }, "target")
    expect(lostCreates([update, targetSide], unlinked, new Set()).size).toBe(0)
  })
})

describe("lostCreates: a create the CRM answered, by a cycle that died before linking it", () => {
  const unlinked = [
    crmCase("KC-1", "BRW-1", "Asked for a statement"),
    crmCase("KC-4", "BRW-1", "Asked for a statement")
  ]
  const body = { customerId: "BRW-1", title: "Asked for a statement" }
  /** What the journal holds once the CRM answered the create: `confirmed`, with the id the answer gave (null before it was kept). */
  const answered = (caseId: string, made: string | null): SideWriteEntry => ({ ...sent(caseId, body, "crm", made), writeState: "confirmed" })

  it("is the case the CRM's answer named, alone, while its target case has no CRM counterpart: a look-alike is not it", () => {
    const lost = lostCreates([answered("case-9", "KC-4")], unlinked, new Set(["case-9"]))
    expect(idsOf(lost, "case-9")).toEqual(["KC-4"])
    expect(lost.get("case-9")).toMatchObject({ chosen: "KC-4", answered: true })
  })

  it("is no create once its target case is linked: the journal keeps every create the CRM answered", () => {
    expect(lostCreates([answered("case-9", "KC-4")], unlinked, new Set()).size).toBe(0)
  })

  it("answered before the journal kept the CRM's id: the unlinked cases of its customer and title, as for an unanswered create", () => {
    const lost = lostCreates([answered("case-9", null)], unlinked.slice(0, 1), new Set(["case-9"]))
    expect(idsOf(lost, "case-9")).toEqual(["KC-1"])
    expect(lost.get("case-9")).toMatchObject({ chosen: null, answered: true })
  })

  it("a create still unanswered is one whether or not its target case is named unlinked, and is not answered", () => {
    const lost = lostCreates([sent("case-9", body)], unlinked, new Set())
    expect(idsOf(lost, "case-9")).toEqual(["KC-1", "KC-4"])
    expect(lost.get("case-9")!.answered).toBe(false)
  })
})

describe("crmCreateBody: the CRM create of a target case", () => {
  it("leaves out a field the target case has no value for, instead of sending null (the CRM refuses null, and a left-out property is simply not set)", () => {
    const patch = { status: "open", priority: "low", product: null, escalated: null, description: null }
    expect(crmCreateBody(patch, "BRW-1", "Asked for a statement")).toEqual({
      status: "open",
      priority: "low",
      customerId: "BRW-1",
      title: "Asked for a statement"
    })
  })

  it("keeps false and empty text: they are values, not a missing one", () => {
    expect(crmCreateBody({ escalated: false, product: "" }, "BRW-1", "T")).toEqual({ escalated: false, product: "", customerId: "BRW-1", title: "T" })
  })
})

describe("linkUpdate: the target update that links a target case to the CRM case made for it (the shipped mapping)", () => {
  const shipped = loadMapping(NodePath.join(root, "mappings/khoros-to-peach.yaml"), { caseTypes, configFile: sampleConfig }).pipe(
    Effect.provide(NodeContext.layer)
  )
  // As a person entered it in the target: a placeholder number, none of the CRM's bookkeeping, a key casesync does not own.
  const target = {
    id: "CS-9",
    typeId: "106",
    name: "New in target",
    status: "initiated",
    openedAt: "2024-02-01T10:00:00Z",
    customFields: { crmNumber: "n/a", crmPriority: "low", crmProduct: "auto", crmEscalated: true, note: "kept" },
    metaData: { description: "d" }
  }
  // The CRM case created from it, as the CRM answered.
  const made = {
    id: "KC-10041", number: "10041", url: "https://crm.example.test/cases/KC-10041", customerId: "BRW-1005",
    title: "New in target", description: "d", status: "open", priority: "low", product: "auto", escalated: true,
    created: "2026-03-02T08:00:00.000Z", lastUpdated: "2026-03-02T08:00:00.000Z", interactions: []
  }

  it.effect("carries the externalId and the CRM's values of the fields the CRM feeds, its number, url and times among them", () =>
    Effect.gen(function*() {
      const body = linkUpdate((yield* shipped).fields, target, yield* mapped(yield* shipped, made))
      expect(body).toEqual({
        externalId: "khoros-KC-10041",
        openedAt: "2026-03-02T08:00:00.000Z",
        customFields: {
          crmNumber: "10041",
          crmUrl: "https://crm.example.test/cases/KC-10041",
          crmLastUpdated: "2026-03-02T08:00:00.000Z",
          crmInteractionCount: 0,
          crmPriority: "low",
          crmProduct: "auto",
          crmEscalated: true,
          note: "kept"
        }
      })
    }))

  it.effect("leaves the fields the target fed the CRM as the target holds them, though the CRM's value maps to another (open → processing)", () =>
    Effect.gen(function*() {
      const body = linkUpdate((yield* shipped).fields, target, yield* mapped(yield* shipped, { ...made, priority: "high" }))
      expect("status" in body).toBe(false)
      expect((body["customFields"] as Record<string, unknown>)["crmPriority"]).toBe("low")
    }))

  it.effect("is the externalId alone when the target already holds every value the CRM feeds", () =>
    Effect.gen(function*() {
      const mapping = yield* shipped
      const once = linkUpdate(mapping.fields, target, yield* mapped(mapping, made))
      const linked = { ...target, ...once }
      expect(linkUpdate(mapping.fields, linked, yield* mapped(mapping, made))).toEqual({ externalId: "khoros-KC-10041" })
    }))
})
