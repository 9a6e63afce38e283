import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, TestClock } from "effect"
import nock from "nock"
import { isOutcomeUnknown } from "../../src/http/index.js"
import { fullCaseJson } from "../domain/PeachSamples.js"
import { apiOrigin, awaitSleepUntil, useNock } from "../http/NockTestKit.js"
import { item, withPeach } from "./PeachTestKit.js"

useNock()

const person = "BO-UJZD-E8GX"
const caseId = "CS-AB12-CD34"
const casePath = `/api/people/${person}/cases/${caseId}`
const peach = () => nock(apiOrigin, { reqheaders: { authorization: "Bearer test-token" } })

const newCase = {
  typeId: "101",
  externalId: "CRM-1001",
  name: "Chapter 7 filing",
  status: "initiated" as const,
  openedAt: "2017-03-10T08:15:00-05:00",
  customFields: { legacyPriority: "high" }
}

describe("PeachClient cases: create", () => {
  it.effect("POSTs the body with the externalId unprefixed and decodes the created case", () =>
    Effect.gen(function*() {
      const bodies: Array<unknown> = []
      peach().post(`/api/people/${person}/cases`, (body) => {
        bodies.push(body)
        return true
      }).reply(200, item(fullCaseJson()))
      const created = yield* withPeach((client) => client.createCase(person, newCase))
      expect(bodies).toEqual([newCase])
      expect(created.id).toBe(caseId)
      expect(created.openedAt).toBe("2017-03-10T08:15:00-05:00")
    }))

  it.effect("is not retried after a 502 and says the outcome is unknown", () =>
    Effect.gen(function*() {
      peach().post(`/api/people/${person}/cases`).reply(502, "Bad Gateway")
      const retry = peach().post(`/api/people/${person}/cases`).reply(200, item(fullCaseJson()))
      const error = yield* withPeach((client) => Effect.flip(client.createCase(person, newCase)))
      expect(error).toMatchObject({ _tag: "ServerError", status: 502, ambiguous: true })
      expect(isOutcomeUnknown(error)).toBe(true)
      expect(retry.isDone()).toBe(false)
    }))

  it.effect("is not retried after a dropped connection", () =>
    Effect.gen(function*() {
      peach().post(`/api/people/${person}/cases`).replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      const retry = peach().post(`/api/people/${person}/cases`).reply(200, item(fullCaseJson()))
      const error = yield* withPeach((client) => Effect.flip(client.createCase(person, newCase)))
      expect(error).toMatchObject({ _tag: "Transport", reason: "ConnectionLost", ambiguous: true })
      expect(retry.isDone()).toBe(false)
    }))

  it.effect("is retried after a 429, Retry-After seconds later", () =>
    Effect.gen(function*() {
      peach().post(`/api/people/${person}/cases`).reply(429, { status: 429, message: "Too many requests" }, { "Retry-After": "2" })
      peach().post(`/api/people/${person}/cases`).reply(200, item(fullCaseJson()))
      const fiber = yield* withPeach((client) => client.createCase(person, newCase)).pipe(Effect.fork)
      yield* awaitSleepUntil(2000)
      yield* TestClock.adjust(2000)
      const created = yield* Fiber.join(fiber)
      expect(created.id).toBe(caseId)
    }))

  it.effect("a duplicate externalId is a Conflict with the server's field message", () =>
    Effect.gen(function*() {
      peach().post(`/api/people/${person}/cases`).reply(409, {
        status: 409,
        message: "A case with externalId CRM-1001 already exists",
        errors: [{ field: "externalId", message: "already used by CS-AB12-CD34" }]
      })
      const error = yield* withPeach((client) => Effect.flip(client.createCase(person, newCase)))
      expect(error).toMatchObject({
        _tag: "Conflict",
        status: 409,
        serverMessage: "A case with externalId CRM-1001 already exists",
        fieldErrors: [{ field: "externalId", message: "already used by CS-AB12-CD34" }]
      })
    }))

  it.effect("a refused body is Invalid with the server's per-field messages", () =>
    Effect.gen(function*() {
      peach().post(`/api/people/${person}/cases`).reply(400, {
        status: 400,
        message: "Invalid case",
        errors: [{ field: "customFields.legacyPriority", message: "must be one of low, high" }]
      })
      const error = yield* withPeach((client) => Effect.flip(client.createCase(person, newCase)))
      expect(error).toMatchObject({
        _tag: "Invalid",
        status: 400,
        fieldErrors: [{ field: "customFields.legacyPriority", message: "must be one of low, high" }]
      })
    }))

  it.effect("an offset-less openedAt is refused before sending", () =>
    Effect.gen(function*() {
      const scope = peach().post(`/api/people/${person}/cases`).reply(200, item(fullCaseJson()))
      const error = yield* withPeach((client) =>
        Effect.flip(client.createCase(person, { ...newCase, openedAt: "2017-03-10T08:15:00" }))
      )
      expect(error).toMatchObject({ _tag: "Invalid", fieldErrors: [{ field: "openedAt" }] })
      expect(scope.isDone()).toBe(false)
    }))

  it.effect("an unknown borrower is NotFound", () =>
    Effect.gen(function*() {
      peach().post("/api/people/BO-NOPE-0000/cases").reply(404, { status: 404, message: "Person not found" })
      const error = yield* withPeach((client) => Effect.flip(client.createCase("BO-NOPE-0000", newCase)))
      expect(error).toMatchObject({ _tag: "NotFound", serverMessage: "Person not found" })
    }))
})

describe("PeachClient cases: read and update", () => {
  it.effect("getCase sends associations and include, and decodes the case", () =>
    Effect.gen(function*() {
      peach().get(casePath).query({ associations: "documents", include: "id,status" }).reply(200, item(fullCaseJson()))
      const found = yield* withPeach((client) =>
        client.getCase(person, caseId, { associations: "documents", include: ["id", "status"] })
      )
      expect(found.status).toBe("initiated")
    }))

  it.effect("findCaseByExternalId asks for ext-<id>, percent-encoded, and answers Some", () =>
    Effect.gen(function*() {
      peach().get(`/api/people/${person}/cases/ext-CRM%201001%2Fb`).reply(200, item(fullCaseJson({ externalId: "CRM 1001/b" })))
      const found = yield* withPeach((client) => client.findCaseByExternalId(person, "CRM 1001/b"))
      expect(Option.map(found, (c) => c.externalId)).toEqual(Option.some("CRM 1001/b"))
    }))

  it.effect("findCaseByExternalId answers None on 404 (not created yet)", () =>
    Effect.gen(function*() {
      peach().get(`/api/people/${person}/cases/ext-CRM-404`).reply(404, { status: 404, message: "Case not found" })
      expect(yield* withPeach((client) => client.findCaseByExternalId(person, "CRM-404"))).toEqual(Option.none())
    }))

  it.effect("findCaseByExternalId still fails on other errors", () =>
    Effect.gen(function*() {
      peach().get(`/api/people/${person}/cases/ext-CRM-1`).reply(401, { status: 401, message: "bad token" })
      const error = yield* withPeach((client) => Effect.flip(client.findCaseByExternalId(person, "CRM-1")))
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 401 })
    }))

  it.effect("a case whose status is outside the enum is a Decode error at data.status", () =>
    Effect.gen(function*() {
      peach().get(casePath).reply(200, item(fullCaseJson({ status: "open" })))
      const error = yield* withPeach((client) => Effect.flip(client.getCase(person, caseId)))
      expect(error).toMatchObject({ _tag: "Decode", status: 200, path: "data.status" })
    }))

  it.effect("a case whose openedAt has no offset is a Decode error at data.openedAt", () =>
    Effect.gen(function*() {
      peach().get(casePath).reply(200, item(fullCaseJson({ openedAt: "2017-03-10T08:15:00" })))
      const error = yield* withPeach((client) => Effect.flip(client.getCase(person, caseId)))
      expect(error).toMatchObject({ _tag: "Decode", path: "data.openedAt" })
      expect(error.message).toContain("timezone or UTC offset")
    }))

  it.effect("updateCase PUTs only the given fields and is retried after a 503", () =>
    Effect.gen(function*() {
      const bodies: Array<unknown> = []
      peach().put(casePath).reply(503)
      peach().put(casePath, (body) => {
        bodies.push(body)
        return true
      }).reply(200, item(fullCaseJson({ status: "completed", outcome: "approved" })))
      const fiber = yield* withPeach((client) => client.updateCase(person, caseId, { status: "completed", outcome: "approved" }))
        .pipe(Effect.fork)
      const sleeps = yield* awaitSleepWithin(80, 120)
      yield* TestClock.adjust(sleeps)
      const updated = yield* Fiber.join(fiber)
      expect(updated.status).toBe("completed")
      expect(bodies).toEqual([{ status: "completed", outcome: "approved" }])
    }))
})

/** Waits for the first backoff (base 100 ms ± 20%) and returns its length in ms. */
const awaitSleepWithin = (min: number, max: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      const found = Chunk.toReadonlyArray(yield* TestClock.sleeps()).find((at) => at >= min && at <= max)
      if (found !== undefined) return found
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
    }
    return yield* Effect.dieMessage("no backoff sleep")
  })

describe("PeachClient cases: subresources", () => {
  it.effect("addAssociation POSTs the association and accepts 204", () =>
    Effect.gen(function*() {
      peach().post(`${casePath}/associations`, { objectType: "document", objectId: "DD-0001", relation: "related" }).reply(204)
      yield* withPeach((client) =>
        client.addAssociation(person, caseId, { objectType: "document", objectId: "DD-0001", relation: "related" })
      )
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("removeAssociation DELETEs with objectType and objectId in the query", () =>
    Effect.gen(function*() {
      peach().delete(`${casePath}/associations`).query({ objectType: "loan", objectId: "LN-0001" }).reply(204)
      yield* withPeach((client) => client.removeAssociation(person, caseId, { objectType: "loan", objectId: "LN-0001" }))
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("markViewed POSTs to views and, being harmless to repeat, is retried after a 503", () =>
    Effect.gen(function*() {
      peach().post(`${casePath}/views`).reply(503)
      peach().post(`${casePath}/views`).reply(204)
      const fiber = yield* withPeach((client) => client.markViewed(person, caseId)).pipe(Effect.fork)
      yield* TestClock.adjust(yield* awaitSleepWithin(80, 120))
      expect(yield* Fiber.await(fiber)).toEqual(Exit.void)
    }))

  it.effect("escalate and deEscalate POST escalation requests (both targets null to de-escalate)", () =>
    Effect.gen(function*() {
      peach().post(`${casePath}/escalations`, {
        escalatedTeamId: "TM-0001",
        escalatedEmployeeId: null,
        note: "urgent review",
        isUrgent: true
      }).reply(204)
      peach().post(`${casePath}/escalations`, { escalatedTeamId: null, escalatedEmployeeId: null, note: "resolved" }).reply(204)
      yield* withPeach((client) =>
        Effect.zipRight(
          client.escalate(person, caseId, {
            escalatedTeamId: "TM-0001",
            escalatedEmployeeId: null,
            note: "urgent review",
            isUrgent: true
          }),
          client.deEscalate(person, caseId, "resolved")
        )
      )
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("listEscalations and listCompanyEscalations return the data arrays", () =>
    Effect.gen(function*() {
      const escalation = { escalatedTeamId: "TM-0001", escalatedEmployeeId: null, note: "n", isUrgent: false }
      peach().get(`${casePath}/escalations`).reply(200, { status: 200, count: 1, data: [escalation] })
      peach().get("/api/cases/escalations").reply(200, {
        status: 200,
        count: 1,
        data: [{ ...escalation, caseId, caseName: "Chapter 7 filing", escalationTargetName: "Collections team" }]
      })
      const [own, company] = yield* withPeach((client) =>
        Effect.all([client.listEscalations(person, caseId), client.listCompanyEscalations()])
      )
      expect(own).toEqual([escalation])
      expect(company[0]?.escalationTargetName).toBe("Collections team")
    }))

  it.effect("snooze POSTs snoozeFor and cancelSnooze DELETEs", () =>
    Effect.gen(function*() {
      peach().post(`${casePath}/snooze`, { snoozeFor: 7 }).reply(204)
      peach().delete(`${casePath}/snooze`).reply(204)
      yield* withPeach((client) => Effect.zipRight(client.snooze(person, caseId, { snoozeFor: 7 }), client.cancelSnooze(person, caseId)))
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("a snooze under one day is refused before sending", () =>
    Effect.gen(function*() {
      const error = yield* withPeach((client) => Effect.flip(client.snooze(person, caseId, { snoozeFor: 0 })))
      expect(error).toMatchObject({ _tag: "Invalid", fieldErrors: [{ field: "snoozeFor" }] })
    }))
})
