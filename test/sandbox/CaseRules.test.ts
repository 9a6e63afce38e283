import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { Case } from "../../src/domain/peach/index.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { apiKey, call, fieldsOf, legacyCase, utcMillis } from "./SandboxHttp.js"

// Seed data (samples/peach): BRW-1001 is BO-UJZD-E8GX and already has the native
// case CS-7Q2M-4KX9 with externalId PEACH-NATIVE-1; BRW-1002 is BO-6NCF-10EP.
// Case type 101 "Legacy servicing case" (active), 106 "CRM conversation" (active,
// crmNumber required, max 40), 107 "Identity theft" (draft).

const isCase = Schema.is(Case)

describe("Peach-style sandbox: case rules", () => {
  it.scoped("creates a case with externalId and openedAt, readable by id and by ext-<externalId>", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const created = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: legacyCase("LEGACY-1", { openedAt: "2021-05-01T10:00:00-04:00" })
      })
      expect(created.status).toBe(200)
      expect(created.body.status).toBe(200)
      const id: string = created.body.data.id
      expect(id).toMatch(/^CS-[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      expect(created.body.data.people).toEqual(["BO-UJZD-E8GX"])
      expect(Date.parse(created.body.data.openedAt)).toBe(Date.parse("2021-05-01T14:00:00Z"))

      for (const path of [
        `/people/ext-BRW-1001/cases/ext-LEGACY-1`,
        `/people/BO-UJZD-E8GX/cases/ext-LEGACY-1`,
        `/people/ext-BRW-1001/cases/${id}`,
        `/people/BO-UJZD-E8GX/cases/${id}`
      ]) {
        const read = yield* call(sandbox, "GET", path, { headers: apiKey })
        expect(read.status, path).toBe(200)
        expect(read.body.data).toEqual(created.body.data)
      }
      expect(isCase(created.body.data)).toBe(true)
    }))

  it.scoped("refuses a second case with the same externalId, for any borrower (409)", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      expect((yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("DUP-1") })).status)
        .toBe(200)
      const again = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("DUP-1") })
      expect(again.status).toBe(409)
      expect(again.body.status).toBe(409)
      const otherBorrower = yield* call(sandbox, "POST", "/people/ext-BRW-1002/cases", { body: legacyCase("DUP-1") })
      expect(otherBorrower.status).toBe(409)
      const native = yield* call(sandbox, "POST", "/people/ext-BRW-1002/cases", { body: legacyCase("PEACH-NATIVE-1") })
      expect(native.status).toBe(409)
      const cases = yield* sandbox.state.cases
      expect(cases.filter((c) => c.externalId === "DUP-1")).toHaveLength(1)
    }))

  it.scoped("refuses an update that would give a case another case's externalId (409), allows its own", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const a = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("A-1") })
      yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("B-1") })
      const collide = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-B-1", { body: { externalId: "A-1" } })
      expect(collide.status).toBe(409)
      const toNative = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-B-1", {
        body: { externalId: "PEACH-NATIVE-1" }
      })
      expect(toNative.status).toBe(409)
      const same = yield* call(sandbox, "PUT", `/people/ext-BRW-1001/cases/${a.body.data.id}`, {
        body: { externalId: "A-1" }
      })
      expect(same.status).toBe(200)
      const renamed = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-B-1", { body: { externalId: "B-2" } })
      expect(renamed.status).toBe(200)
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-B-2")).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-B-1")).status).toBe(404)
    }))

  it.scoped("refuses openedAt without a timezone or offset (400 naming openedAt) and creates nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const before = (yield* sandbox.state.cases).length
      const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: legacyCase("NO-OFFSET", { openedAt: "2021-05-01T10:00:00" })
      })
      expect(reply.status).toBe(400)
      expect(reply.body.status).toBe(400)
      expect(fieldsOf(reply)).toEqual(["openedAt"])
      expect(reply.body.errors[0].message).toMatch(/offset|timezone/i)
      expect(reply.body.errors[0].message).not.toMatch(/Expected null|Expected undefined/)
      expect((yield* sandbox.state.cases).length).toBe(before)
    }))

  it.scoped("sets openedAt to createdAt when absent, and writes its own timestamps in UTC with milliseconds", () =>
    Effect.gen(function*() {
      // The sandbox runs on the clock of the effect that starts it: here the TestClock.
      yield* TestClock.setTime(Date.parse("2025-01-02T03:04:05.678Z"))
      const sandbox = yield* startSandbox()
      const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101" } })
      expect(reply.status).toBe(200)
      const c = reply.body.data
      expect(c.createdAt).toBe("2025-01-02T03:04:05.678Z")
      expect(c.openedAt).toBe(c.createdAt)
      for (const field of ["createdAt", "updatedAt", "statusUpdatedAt"]) expect(c[field], field).toBe(c.createdAt)
      // Two writes in the same millisecond still get distinct, ordered stamps.
      const next = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101" } })
      expect(next.body.data.createdAt).toBe("2025-01-02T03:04:05.679Z")
      yield* TestClock.adjust("90 seconds")
      const updated = yield* call(sandbox, "PUT", `/people/ext-BRW-1001/cases/${c.id}`, { body: { status: "completed" } })
      expect(updated.body.data.updatedAt).toBe("2025-01-02T03:05:35.678Z")
      expect(updated.body.data.statusUpdatedAt).toBe("2025-01-02T03:05:35.678Z")
      expect(updated.body.data.createdAt).toBe("2025-01-02T03:04:05.678Z")
      expect(updated.body.data.updatedAt).toMatch(utcMillis)
    }))

  it.scoped("moves updatedAt on every effective update, statusUpdatedAt on a status change, neither on a no-op", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const created = (yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("TS-1") })).body.data
      const path = "/people/ext-BRW-1001/cases/ext-TS-1"
      const first = (yield* call(sandbox, "PUT", path, { body: { name: "Renamed" } })).body.data
      const second = (yield* call(sandbox, "PUT", path, { body: { name: "Renamed again" } })).body.data
      expect(first.updatedAt > created.updatedAt).toBe(true)
      expect(second.updatedAt > first.updatedAt).toBe(true)
      expect(second.statusUpdatedAt).toBe(created.statusUpdatedAt)
      const processing = (yield* call(sandbox, "PUT", path, { body: { status: "processing" } })).body.data
      expect(processing.statusUpdatedAt).toBe(processing.updatedAt)
      expect(processing.updatedAt > second.updatedAt).toBe(true)
      const noop = (yield* call(sandbox, "PUT", path, { body: { status: "processing", name: "Renamed again" } })).body.data
      expect(noop.updatedAt).toBe(processing.updatedAt)
      expect(processing.updatedAt).toMatch(utcMillis)
    }))

  it.scoped("enforces enums (status, outcome) with a 400 naming the field", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const status = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: legacyCase("E-1", { status: "open" })
      })
      expect(status.status).toBe(400)
      expect(fieldsOf(status)).toEqual(["status"])
      expect(status.body.errors[0].message).toBe(
        `Expected "initiated" | "processing" | "completed" | "canceled" | "reopened", actual "open"`
      )
      const outcome = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-PEACH-NATIVE-1", {
        body: { outcome: "won" }
      })
      expect(outcome.status).toBe(400)
      expect(fieldsOf(outcome)).toEqual(["outcome"])
    }))

  it.scoped("defaults the name to the case type's name and keeps a given one", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const legacy = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101" } })
      expect(legacy.body.data.name).toBe("Legacy servicing case")
      const crm = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: { typeId: "106", customFields: { crmNumber: "00042" } }
      })
      expect(crm.body.data.name).toBe("CRM conversation")
      const named = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101", name: "Late fee" } })
      expect(named.body.data.name).toBe("Late fee")
    }))

  it.scoped("fills caseTypeMeta from the case type version used", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "102" } })
      expect(reply.body.data.caseTypeMeta).toEqual({
        base: "bankruptcy",
        id: "102",
        name: "Bankruptcy",
        derivedFromTypeId: null,
        version: 1
      })
      expect(reply.body.data.typeId).toBe("102")
    }))

  describe("customFields are checked against the case type's customFieldSchemas", () => {
    const refused = (typeId: string, customFields: Record<string, unknown>, field: string) =>
      Effect.gen(function*() {
        const sandbox = yield* startSandbox()
        const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId, customFields } })
        expect(reply.status).toBe(400)
        expect(fieldsOf(reply)).toEqual([field])
        expect((yield* sandbox.state.cases).length).toBe(4)
      })

    it.scoped("unknown field", () => refused("101", { shoeSize: 42 }, "customFields.shoeSize"))
    it.scoped("wrong type", () =>
      refused("106", { crmNumber: "1", crmInteractionCount: "3" }, "customFields.crmInteractionCount"))
    it.scoped("integer field given a fraction", () =>
      refused("106", { crmNumber: "1", crmInteractionCount: 2.5 }, "customFields.crmInteractionCount"))
    it.scoped("enum value not allowed", () => refused("101", { legacyPriority: "extreme" }, "customFields.legacyPriority"))
    it.scoped("too long", () => refused("106", { crmNumber: "9".repeat(41) }, "customFields.crmNumber"))
    it.scoped("dateTime without offset", () =>
      refused("106", { crmNumber: "1", crmLastUpdated: "2024-01-01T10:00:00" }, "customFields.crmLastUpdated"))
    it.scoped("required field missing", () => refused("106", { crmProduct: "card" }, "customFields.crmNumber"))
    it.scoped("required field null on update", () =>
      Effect.gen(function*() {
        const sandbox = yield* startSandbox()
        yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
          body: { typeId: "106", externalId: "CRM-1", customFields: { crmNumber: "7" } }
        })
        const reply = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-CRM-1", {
          body: { customFields: { crmNumber: null } }
        })
        expect(reply.status).toBe(400)
        expect(fieldsOf(reply)).toEqual(["customFields.crmNumber"])
      }))

    it.scoped("accepts values that fit, at the exact maximum length", () =>
      Effect.gen(function*() {
        const sandbox = yield* startSandbox()
        const customFields = {
          crmNumber: "9".repeat(40),
          crmInteractionCount: 3,
          crmLastUpdated: "2024-01-01T10:00:00+01:00",
          crmPriority: "high",
          crmEscalated: false
        }
        const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "106", customFields } })
        expect(reply.status).toBe(200)
        expect(reply.body.data.customFields).toEqual(customFields)
      }))
  })

  it.scoped("requires typeId to name a case type with an active version", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const draft = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "107" } })
      expect(draft.status).toBe(400)
      expect(fieldsOf(draft)).toEqual(["typeId"])
      const unknown = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "999" } })
      expect(unknown.status).toBe(400)
      expect(fieldsOf(unknown)).toEqual(["typeId"])
      const missing = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { externalId: "X" } })
      expect(missing.status).toBe(400)
      expect(fieldsOf(missing)).toEqual(["typeId"])
    }))

  it.scoped("answers 404 for an unknown borrower, by id and by ext-, and for a case of another borrower", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      for (const person of ["BO-NONE-0000", "ext-BRW-9999"]) {
        expect((yield* call(sandbox, "POST", `/people/${person}/cases`, { body: legacyCase("X-404") })).status, person)
          .toBe(404)
        expect((yield* call(sandbox, "GET", `/people/${person}/cases`)).status, person).toBe(404)
        expect((yield* call(sandbox, "GET", `/people/${person}/cases/CS-7Q2M-4KX9`)).status, person).toBe(404)
        expect((yield* call(sandbox, "GET", `/people/${person}`)).status, person).toBe(404)
      }
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1002/cases/ext-PEACH-NATIVE-1")).status).toBe(404)
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-NOPE")).status).toBe(404)
      expect((yield* sandbox.state.cases).length).toBe(4)
    }))

  it.scoped("answers 400 for a body that is not JSON", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: "{not json" })
      expect(reply.status).toBe(400)
      expect(fieldsOf(reply)).toEqual(["body"])
    }))

  it.scoped("keeps exactly one case when the same create races with itself", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const replies = yield* Effect.all(
        Array.from({ length: 8 }, () => call(sandbox, "POST", "/people/ext-BRW-1003/cases", { body: legacyCase("RACE-1") })),
        { concurrency: "unbounded" }
      )
      expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409])
      expect((yield* sandbox.state.cases).filter((c) => c.externalId === "RACE-1")).toHaveLength(1)
    }))

  it.scoped("lists company cases and a borrower's cases in id order, each a valid Case", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const created = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("ORDER-1") })
      const mine = yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases")
      expect(mine.body.data.map((c: any) => c.id)).toEqual(["CS-7Q2M-4KX9", "CS-M5VJ-2ECQ", created.body.data.id].sort())
      const all = yield* call(sandbox, "GET", "/cases")
      expect(all.body.total).toBe(5)
      expect(all.body.data.map((c: any) => c.id)).toEqual([
        "CS-7Q2M-4KX9",
        "CS-H3TD-91PB",
        "CS-0B8R-Z6WN",
        "CS-M5VJ-2ECQ",
        created.body.data.id
      ].sort())
      expect(all.body.data.every(isCase)).toBe(true)
    }))
})
