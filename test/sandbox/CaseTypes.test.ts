import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema, TestClock } from "effect"
import { CaseType } from "../../src/domain/peach/index.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { call, fieldsOf } from "./SandboxHttp.js"

// These specs check every value the sandbox holds (nulls, descriptions), so they read
// full responses; the lean default's omissions are specified in Wire.test.ts.
const fullResponses = { responses: "full" } as const

// Seed 002: every update is a new version; one active version per type, the previous
// active one becomes deprecated; deprecating hides the type from GET /case-types and
// spawns a draft replica; cases in flight keep the version they were created with.
// Samples: 101..106 active at version 1, 107 a draft.

const isCaseType = Schema.is(CaseType)

const versionsOf = (sandbox: { url: string; origin: string }, typeId: string, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i + 1),
    (version) => Effect.map(call(sandbox, "GET", `/case-types/${typeId}?version=${version}`), (r) => r.body.data)
  )

describe("Peach-style sandbox: case types", () => {
  it.scoped("an update of the active version creates version 2, active, and deprecates version 1", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      const updated = yield* call(sandbox, "PUT", "/case-types/101", { body: { description: "Now with SLA" } })
      expect(updated.status).toBe(200)
      expect(updated.body.data).toMatchObject({ id: "101", version: 2, status: "active", description: "Now with SLA" })
      expect(updated.body.data.name).toBe("Legacy servicing case")
      expect(isCaseType(updated.body.data)).toBe(true)
      const [v1, v2] = yield* versionsOf(sandbox, "101", 2)
      expect(v1.status).toBe("deprecated")
      expect(v1.description).toBe("Servicing cases migrated from the legacy loan servicing system.")
      expect(v2.status).toBe("active")
      expect((yield* call(sandbox, "GET", "/case-types/101")).body.data.version).toBe(2)
      expect((yield* call(sandbox, "GET", "/case-types/101?version=3")).status).toBe(404)
    }))

  it.scoped("keeps exactly one active version through several updates", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      for (const name of ["One", "Two", "Three"]) {
        expect((yield* call(sandbox, "PUT", "/case-types/104", { body: { name } })).status).toBe(200)
      }
      const versions = yield* versionsOf(sandbox, "104", 4)
      expect(versions.map((v) => v.status)).toEqual(["deprecated", "deprecated", "deprecated", "active"])
      expect(versions.map((v) => v.name)).toEqual(["Military duty (SCRA)", "One", "Two", "Three"])
    }))

  it.scoped("a draft update leaves the active version serving new cases until the draft is activated", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      const draft = yield* call(sandbox, "PUT", "/case-types/101", { body: { name: "Next", status: "draft" } })
      expect(draft.body.data).toMatchObject({ version: 2, status: "draft" })
      const before = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101" } })
      expect(before.body.data.caseTypeMeta.version).toBe(1)
      expect(before.body.data.name).toBe("Legacy servicing case")
      const activated = yield* call(sandbox, "PUT", "/case-types/101?version=2", { body: { status: "active" } })
      expect(activated.body.data).toMatchObject({ version: 3, status: "active", name: "Next" })
      const after = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "101" } })
      expect(after.body.data.caseTypeMeta).toMatchObject({ id: "101", version: 3, name: "Next" })
      expect(after.body.data.name).toBe("Next")
    }))

  it.scoped("existing cases keep the case type version they were created with", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: { typeId: "103", externalId: "OLD-1", customFields: { disputeChannel: "mail" } }
      })
      const schemas = [{ name: "disputeChannel", type: "enum", values: ["mail", "fax"], required: true }]
      yield* call(sandbox, "PUT", "/case-types/103", { body: { customFieldSchemas: schemas } })
      const old = yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-OLD-1")
      expect(old.body.data.caseTypeMeta.version).toBe(1)
      // The old case is still checked against version 1, where "email" is allowed and the field optional.
      const oldUpdate = yield* call(sandbox, "PUT", "/people/ext-BRW-1001/cases/ext-OLD-1", {
        body: { customFields: { disputeChannel: "email" } }
      })
      expect(oldUpdate.status).toBe(200)
      expect(oldUpdate.body.data.caseTypeMeta.version).toBe(1)
      const fresh = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", {
        body: { typeId: "103", customFields: { disputeChannel: "email" } }
      })
      expect(fresh.status).toBe(400)
      expect(fieldsOf(fresh)).toEqual(["customFields.disputeChannel"])
      const missing = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "103" } })
      expect(fieldsOf(missing)).toEqual(["customFields.disputeChannel"])
      // The seeded native dispute case (created with version 1) keeps it too.
      const native = yield* call(sandbox, "GET", "/people/ext-BRW-1002/cases/CS-H3TD-91PB")
      expect(native.body.data.caseTypeMeta.version).toBe(1)
    }))

  it.scoped("deprecating hides the type from the list and spawns a draft replica derived from it", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      const listedBefore = (yield* call(sandbox, "GET", "/case-types")).body.data.map((t: any) => t.id)
      expect(listedBefore).toEqual(["101", "102", "103", "104", "105", "106", "107"])
      const deprecated = yield* call(sandbox, "PUT", "/case-types/105", { body: { status: "deprecated" } })
      expect(deprecated.status).toBe(200)
      expect(deprecated.body.data).toMatchObject({ id: "105", status: "deprecated" })
      const list = (yield* call(sandbox, "GET", "/case-types")).body.data
      expect(list.map((t: any) => t.id)).not.toContain("105")
      const replicas = list.filter((t: any) => t.derivedFromTypeId === "105")
      expect(replicas).toHaveLength(1)
      expect(replicas[0]).toMatchObject({ status: "draft", name: "Deceased borrower", caseType: "deceased" })
      expect(replicas[0].id).not.toBe("105")
      expect((yield* call(sandbox, "GET", "/case-types/105")).body.data.status).toBe("deprecated")
      const refused = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "105" } })
      expect(refused.status).toBe(400)
      expect(fieldsOf(refused)).toEqual(["typeId"])
      // Publishing the replica makes it usable, with derivedFromTypeId in the case's caseTypeMeta.
      yield* call(sandbox, "PUT", `/case-types/${replicas[0].id}`, { body: { status: "active" } })
      const created = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: replicas[0].id } })
      expect(created.body.data.caseTypeMeta).toMatchObject({ id: replicas[0].id, derivedFromTypeId: "105" })
    }))

  it.scoped("creates a new type as a draft version 1 with a fresh numeric id", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      const created = yield* call(sandbox, "POST", "/case-types", {
        body: {
          caseType: "collection",
          name: "Collections",
          customFieldSchemas: [{ name: "agency", type: "string", maxLength: 20 }]
        }
      })
      expect(created.status).toBe(200)
      expect(created.body.data).toMatchObject({ version: 1, status: "draft", caseType: "collection", name: "Collections" })
      expect(created.body.data.id).toMatch(/^\d+$/)
      expect(["101", "102", "103", "104", "105", "106", "107"]).not.toContain(created.body.data.id)
      expect(isCaseType(created.body.data)).toBe(true)
      const list = (yield* call(sandbox, "GET", "/case-types")).body.data
      expect(list.map((t: any) => t.id)).toContain(created.body.data.id)
      const tooLong = yield* call(sandbox, "POST", "/case-types", { body: { name: "x".repeat(51) } })
      expect(tooLong.status).toBe(400)
      expect(fieldsOf(tooLong)).toEqual(["name"])
    }))

  it.scoped("answers 404 for an unknown case type and 400 for a bad version", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      expect((yield* call(sandbox, "GET", "/case-types/999")).status).toBe(404)
      expect((yield* call(sandbox, "PUT", "/case-types/999", { body: { name: "x" } })).status).toBe(404)
      const bad = yield* call(sandbox, "GET", "/case-types/101?version=abc")
      expect(bad.status).toBe(400)
      expect(fieldsOf(bad)).toEqual(["version"])
    }))

  it.scoped("links and unlinks objects, and refuses a smart-review run dated in the future", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      expect((yield* call(sandbox, "POST", "/case-types/101/associations?objectType=loanType&objectId=7")).status)
        .toBe(204)
      expect((yield* call(sandbox, "DELETE", "/case-types/101/associations?objectType=loanType&objectId=7")).status)
        .toBe(204)
      const badType = yield* call(sandbox, "POST", "/case-types/101/associations?objectType=planet&objectId=7")
      expect(fieldsOf(badType)).toEqual(["objectType"])
      const badId = yield* call(sandbox, "POST", "/case-types/101/associations?objectType=loanType&objectId=x")
      expect(fieldsOf(badId)).toEqual(["objectId"])
      // The sandbox runs on the test's clock: "today" is whatever the TestClock says.
      yield* TestClock.setTime(Date.parse("2025-06-15T12:00:00Z"))
      expect((yield* call(sandbox, "POST", "/case-types/101/create-smart-review-tasks?asOfDate=2025-06-15")).status)
        .toBe(200)
      const future = yield* call(sandbox, "POST", "/case-types/101/create-smart-review-tasks?asOfDate=2025-06-16")
      expect(future.status).toBe(400)
      expect(fieldsOf(future)).toEqual(["asOfDate"])
    }))
})
