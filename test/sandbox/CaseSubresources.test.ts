import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { call, fieldsOf, legacyCase } from "./SandboxHttp.js"

// These specs check every value the sandbox holds (nulls, descriptions), so they read
// full responses; the lean default's omissions are specified in Wire.test.ts.
const fullResponses = { responses: "full" } as const

// Seed 000: associations, views, escalations and snoozes of a borrower's case, each
// answering 204; seed 001: lastViewedAt, lastSubresourceUpdatedAt, snoozedUntil a date.

const path = "/people/ext-BRW-1001/cases/ext-SUB-1"

describe("Peach-style sandbox: case subresources", () => {
  it.scoped("adds an association once and removes it", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("SUB-1") })
      const association = { objectType: "document", objectId: "DD-1234-ABCD" }
      expect((yield* call(sandbox, "POST", `${path}/associations`, { body: association })).status).toBe(204)
      expect((yield* call(sandbox, "POST", `${path}/associations`, { body: association })).status).toBe(204)
      expect((yield* call(sandbox, "POST", `${path}/associations`, { body: { objectType: "loan", objectId: "LN-1" } })).status)
        .toBe(204)
      const read = yield* call(sandbox, "GET", path)
      expect(read.body.data.associations).toEqual([association, { objectType: "loan", objectId: "LN-1" }])
      const documents = yield* call(sandbox, "GET", `${path}?associations=documents`)
      expect(documents.body.data.associations).toEqual([association])
      const bad = yield* call(sandbox, "GET", `${path}?associations=planets`)
      expect(fieldsOf(bad)).toEqual(["associations"])
      const slim = yield* call(sandbox, "GET", `${path}?include=status,externalId`)
      expect(slim.body.data).toEqual({ id: read.body.data.id, object: "case", externalId: "SUB-1", status: "initiated" })
      const removed = yield* call(sandbox, "DELETE", `${path}/associations?objectType=document&objectId=DD-1234-ABCD`)
      expect(removed.status).toBe(204)
      expect((yield* call(sandbox, "GET", path)).body.data.associations).toEqual([{ objectType: "loan", objectId: "LN-1" }])
      const refused = yield* call(sandbox, "POST", `${path}/associations`, { body: { objectType: "planet", objectId: "X" } })
      expect(refused.status).toBe(400)
      expect(fieldsOf(refused)).toEqual(["objectType"])
    }))

  it.scoped("marks a case viewed without counting it as an update", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-02-01T00:00:00Z"))
      const sandbox = yield* startSandbox(fullResponses)
      const created = (yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("SUB-1") })).body.data
      yield* TestClock.adjust("1 hour")
      expect((yield* call(sandbox, "POST", `${path}/views`)).status).toBe(204)
      const read = (yield* call(sandbox, "GET", path)).body.data
      expect(read.lastViewedAt).toBe("2025-02-01T01:00:00.000Z")
      expect(read.lastViewedBy.userType).toBe("service")
      expect(read.updatedAt).toBe(created.updatedAt)
    }))

  it.scoped("escalates, lists the escalation company-wide, and de-escalates when both targets are null", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      const created = (yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("SUB-1") })).body.data
      const escalation = { escalatedTeamId: "TM-1", escalatedEmployeeId: null, note: "Call back", isUrgent: true }
      expect((yield* call(sandbox, "POST", `${path}/escalations`, { body: escalation })).status).toBe(204)
      const read = (yield* call(sandbox, "GET", path)).body.data
      expect(read).toMatchObject({ escalatedTeamId: "TM-1", escalationIsUrgent: true })
      expect(read.escalatedAt).not.toBeNull()
      expect((yield* call(sandbox, "GET", `${path}/escalations`)).body).toEqual({ status: 200, count: 1, data: [escalation] })
      const company = yield* call(sandbox, "GET", "/cases/escalations")
      expect(company.body.count).toBe(1)
      expect(company.body.data[0]).toMatchObject({ caseId: created.id, caseName: "Legacy servicing case", note: "Call back" })
      const off = { escalatedTeamId: null, escalatedEmployeeId: null }
      expect((yield* call(sandbox, "POST", `${path}/escalations`, { body: off })).status).toBe(204)
      expect((yield* call(sandbox, "GET", path)).body.data.escalatedAt).toBeNull()
      expect((yield* call(sandbox, "GET", "/cases/escalations")).body.count).toBe(0)
    }))

  it.scoped("snoozes for N days and cancels the snooze", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-03-30T22:00:00Z"))
      const sandbox = yield* startSandbox(fullResponses)
      const created = (yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("SUB-1") })).body.data
      yield* TestClock.adjust("1 minute")
      expect((yield* call(sandbox, "POST", `${path}/snooze`, { body: { snoozeFor: 3 } })).status).toBe(204)
      const snoozed = (yield* call(sandbox, "GET", path)).body.data
      expect(snoozed.snoozedAt).toBe("2025-03-30T22:01:00.000Z")
      expect(snoozed.snoozedUntil).toBe("2025-04-02")
      expect(snoozed.lastSubresourceUpdatedAt).toBe("2025-03-30T22:01:00.000Z")
      expect(snoozed.updatedAt > created.updatedAt).toBe(true)
      const zero = yield* call(sandbox, "POST", `${path}/snooze`, { body: { snoozeFor: 0 } })
      expect(zero.status).toBe(400)
      expect(fieldsOf(zero)).toEqual(["snoozeFor"])
      expect((yield* call(sandbox, "DELETE", `${path}/snooze`)).status).toBe(204)
      expect((yield* call(sandbox, "GET", path)).body.data).toMatchObject({ snoozedAt: null, snoozedUntil: null })
    }))

  it.scoped("answers 404 for a subresource of an unknown case", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(fullResponses)
      expect((yield* call(sandbox, "POST", `${path}/views`)).status).toBe(404)
      expect((yield* call(sandbox, "POST", `${path}/snooze`, { body: { snoozeFor: 1 } })).status).toBe(404)
      expect((yield* call(sandbox, "GET", `${path}/escalations`)).status).toBe(404)
    }))
})
