import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { decide, type DesiredCase, type TargetCase } from "../../src/plan/Decide.js"
import { sameValue, updateBodyFor } from "../../src/plan/FieldValues.js"

const desired = (values: Record<string, unknown>): DesiredCase => ({
  sourceKey: "LG-1",
  externalId: "legacy-LG-1",
  location: { _tag: "csv", file: "cases.csv", line: 2 },
  personId: "BO-AAAA-0001",
  body: { typeId: "101", ...values },
  values
})

const target = (values: Record<string, unknown>, raw: Record<string, unknown> = {}): TargetCase => ({
  caseId: "CS-AAAA-0001",
  personIds: ["BO-AAAA-0001"],
  updatedAt: "2024-01-01T00:00:00.000Z",
  raw: { id: "CS-AAAA-0001", ...raw },
  values
})

describe("decide", () => {
  it("creates a case the target does not have", () => {
    const item = decide(desired({ status: "initiated" }), Option.none(), Option.none())
    expect(item._tag).toBe("create")
  })

  it("is unchanged when every owned field already holds the source value", () => {
    const item = decide(
      desired({ status: "initiated", openedAt: "2024-03-10T01:30:00.000-05:00" }),
      Option.some(target({ status: "initiated", openedAt: "2024-03-10T06:30:00Z" })),
      Option.none()
    )
    expect(item._tag).toBe("unchanged")
  })

  it("updates only the owned fields that differ, recording before and after", () => {
    const item = decide(
      desired({ status: "completed", name: "Same" }),
      Option.some(target({ status: "initiated", name: "Same" })),
      Option.none()
    )
    expect(item).toMatchObject({
      _tag: "update",
      caseId: "CS-AAAA-0001",
      targetUpdatedAt: "2024-01-01T00:00:00.000Z",
      changes: [{ field: "status", before: "initiated", after: "completed" }],
      body: { status: "completed" }
    })
  })

  it("keeps custom fields it does not own when it changes one", () => {
    const item = decide(
      desired({ "customFields.crmNumber": "42" }),
      Option.some(target({ "customFields.crmNumber": "41" }, { customFields: { crmNumber: "41", agentNote: "keep me" } })),
      Option.none()
    )
    expect(item).toMatchObject({ _tag: "update", body: { customFields: { crmNumber: "42", agentNote: "keep me" } } })
  })

  it("is a conflict when the target changed an owned field since the last sync", () => {
    const item = decide(
      desired({ status: "completed" }),
      Option.some(target({ status: "canceled" })),
      Option.some({ status: "initiated" })
    )
    expect(item).toMatchObject({
      _tag: "conflict",
      conflicts: [{ field: "status", base: "initiated", target: "canceled", source: "completed" }]
    })
  })

  it("updates when only the source moved since the last sync", () => {
    const item = decide(
      desired({ status: "completed" }),
      Option.some(target({ status: "initiated" })),
      Option.some({ status: "initiated" })
    )
    expect(item._tag).toBe("update")
  })

  it("leaves a two-way field alone while its source holds what sync wrote back for the base (a many-to-one map)", () => {
    // The target's canceled went back to the CRM as closed, which comes forward as completed.
    const unmoved = { status: "completed" }
    const settled = decide(desired({ status: "completed" }), Option.some(target({ status: "canceled" })), Option.some({ status: "canceled" }), unmoved)
    expect(settled._tag).toBe("unchanged")
    // A target edit since then is one-sided too: no conflict, no update.
    const edited = decide(desired({ status: "completed" }), Option.some(target({ status: "processing" })), Option.some({ status: "canceled" }), unmoved)
    expect(edited._tag).toBe("unchanged")
    // Once the source moves (reopened in the CRM: processing), it is an update as before.
    const moved = decide(desired({ status: "processing" }), Option.some(target({ status: "canceled" })), Option.some({ status: "canceled" }), unmoved)
    expect(moved).toMatchObject({ _tag: "update", changes: [{ field: "status", before: "canceled", after: "processing" }] })
  })

  it("is a conflict when the externalId belongs to another borrower's case", () => {
    const item = decide(
      desired({ status: "initiated" }),
      Option.some({ ...target({ status: "initiated" }), personIds: ["BO-ZZZZ-9999"] }),
      Option.none()
    )
    expect(item).toMatchObject({ _tag: "conflict" })
    expect(item._tag === "conflict" && item.reason).toContain("BO-ZZZZ-9999")
  })
})

describe("sameValue", () => {
  it("treats absent and null alike, and compares date-times as instants", () => {
    expect(sameValue(undefined, null)).toBe(true)
    expect(sameValue("2024-03-10T01:30:00.000-05:00", "2024-03-10T06:30:00Z")).toBe(true)
    expect(sameValue("2024-03-10T01:30:00.001-05:00", "2024-03-10T06:30:00Z")).toBe(false)
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true)
    expect(sameValue("1", 1)).toBe(false)
  })
})

describe("updateBodyFor", () => {
  it("sets nested paths on a copy of the target's object, never mutating it", () => {
    const raw = { metaData: { a: 1 } }
    const body = updateBodyFor(raw, [{ field: "metaData.b.c", after: 2 }])
    expect(body).toEqual({ metaData: { a: 1, b: { c: 2 } } })
    expect(raw).toEqual({ metaData: { a: 1 } })
  })
})
