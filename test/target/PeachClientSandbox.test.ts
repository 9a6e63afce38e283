import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { isOutcomeUnknown } from "../../src/http/index.js"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import { makePeachClientConfig, makePeachClient, type PeachClientService } from "../../src/target/index.js"
import { FetchHttpClient } from "@effect/platform"

/**
 * The client against the real sandbox over loopback HTTP: both sides were written
 * from the same seeds, so this is where a wire-format disagreement shows up.
 */

const connect = (sandbox: Sandbox, auth: "Bearer" | "ApiKey" = "Bearer") =>
  makePeachClient(
    makePeachClientConfig({
      baseUrl: sandbox.url,
      auth: auth === "Bearer"
        ? { _tag: "Bearer", token: "sandbox-token" }
        : { _tag: "ApiKey", header: "X-API-KEY", key: "sandbox-key" },
      maxAttempts: 3,
      backoffBaseMillis: 10,
      timeoutMillis: 10_000
    })
  ).pipe(Effect.provide(FetchHttpClient.layer))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const withSandbox = <A, E>(f: (client: PeachClientService, sandbox: Sandbox) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox()
    return yield* f(yield* connect(sandbox), sandbox)
  })

const legacyCase = (externalId: string) => ({
  typeId: "101",
  externalId,
  openedAt: "2021-05-01T10:00:00-04:00",
  status: "initiated" as const,
  customFields: { legacyPriority: "high" }
})

describe("PeachClient against the sandbox", () => {
  it.scoped("lists every borrower, case and case type through small pages", () =>
    withSandbox((client, sandbox) =>
      Effect.gen(function*() {
        const people = yield* collect(client.listPeople({ pageSize: 2 }))
        const cases = yield* collect(client.listCompanyCases({ pageSize: 2 }))
        const types = yield* collect(client.listCaseTypes({ pageSize: 2 }))
        expect(people.length).toBeGreaterThan(2)
        expect(new Set(people.map((p) => p.id)).size).toBe(people.length)
        // Every case once, in the server's order (the sandbox's is by id, not creation).
        expect(cases.map((c) => c.id)).toEqual((yield* sandbox.state.cases).map((c) => c.id).sort())
        expect(types.map((t) => t.id)).toContain("101")
        const byOnePage = yield* collect(client.listCompanyCases({ pageSize: 100 }))
        expect(byOnePage.map((c) => c.id)).toEqual(cases.map((c) => c.id))
      })))

  it.scoped("creates a case, finds it by id and by ext-<externalId>, and refuses a duplicate", () =>
    withSandbox((client) =>
      Effect.gen(function*() {
        const person = "ext-BRW-1001"
        expect(yield* client.findCaseByExternalId(person, "SMOKE-1")).toEqual(Option.none())
        const created = yield* client.createCase(person, legacyCase("SMOKE-1"))
        expect(created).toMatchObject({ externalId: "SMOKE-1", typeId: "101" })
        // The same instant; the sandbox answers it in UTC, so compare instants, not strings.
        expect(Date.parse(created.openedAt!)).toBe(Date.parse("2021-05-01T10:00:00-04:00"))
        expect((yield* client.getCase(person, created.id)).id).toBe(created.id)
        expect(Option.map(yield* client.findCaseByExternalId(person, "SMOKE-1"), (c) => c.id)).toEqual(Option.some(created.id))
        const borrowerCases = yield* collect(client.listBorrowerCases(person, { pageSize: 1 }))
        expect(borrowerCases.map((c) => c.id)).toContain(created.id)

        const duplicate = yield* Effect.flip(client.createCase(person, legacyCase("SMOKE-1")))
        expect(duplicate._tag).toBe("Conflict")
        const badField = yield* Effect.flip(
          client.createCase(person, { ...legacyCase("SMOKE-2"), customFields: { legacyPriority: "urgent!" } })
        )
        expect(badField).toMatchObject({ _tag: "Invalid", status: 400 })
        expect(badField._tag === "Invalid" && badField.fieldErrors.map((f) => f.field).join(" ")).toContain("legacyPriority")
        const unknownPerson = yield* Effect.flip(client.createCase("ext-NOBODY", legacyCase("SMOKE-3")))
        expect(unknownPerson._tag).toBe("NotFound")
      })))

  it.scoped("updates a case and works its subresources", () =>
    withSandbox((client) =>
      Effect.gen(function*() {
        const person = "ext-BRW-1002"
        const created = yield* client.createCase(person, legacyCase("SMOKE-SUB"))
        const updated = yield* client.updateCase(person, created.id, { status: "processing" })
        expect(updated.status).toBe("processing")
        yield* client.markViewed(person, created.id)
        yield* client.addAssociation(person, created.id, { objectType: "document", objectId: "DD-0001" })
        expect((yield* client.getCase(person, created.id)).associations).toContainEqual({ objectType: "document", objectId: "DD-0001" })
        yield* client.removeAssociation(person, created.id, { objectType: "document", objectId: "DD-0001" })
        yield* client.escalate(person, created.id, { escalatedTeamId: "TM-0001", note: "look", isUrgent: true })
        expect((yield* client.listEscalations(person, created.id)).length).toBeGreaterThan(0)
        expect((yield* client.listCompanyEscalations()).map((e) => e.caseId)).toContain(created.id)
        yield* client.deEscalate(person, created.id, "done")
        yield* client.snooze(person, created.id, { snoozeFor: 3 })
        expect((yield* client.getCase(person, created.id)).snoozedUntil).not.toBeNull()
        yield* client.cancelSnooze(person, created.id)
      })))

  it.scoped("creates, versions and associates case types", () =>
    withSandbox((client) =>
      Effect.gen(function*() {
        const draft = yield* client.createCaseType({ caseType: "generic", name: "Smoke type", description: "smoke" })
        expect(draft.status).toBe("draft")
        const active = yield* client.updateCaseType(draft.id, { status: "active" })
        expect(active.status).toBe("active")
        expect((yield* client.getCaseType(draft.id)).status).toBe("active")
        yield* client.addCaseTypeAssociation(draft.id, { objectType: "doNotInteractType", objectId: 3 })
        yield* client.removeCaseTypeAssociation(draft.id, { objectType: "doNotInteractType", objectId: 3 })
        yield* client.createSmartReviewTasks(draft.id)
      })))

  it.scoped("with the API key, and a 401 without credentials", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const byKey = yield* connect(sandbox, "ApiKey")
      expect((yield* byKey.getPerson("ext-BRW-1001")).externalId).toBe("BRW-1001")
      const anonymous = yield* makePeachClient(makePeachClientConfig({ baseUrl: sandbox.url })).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      expect((yield* Effect.flip(anonymous.getPerson("ext-BRW-1001")))._tag).toBe("Unauthorized")
    }))

  it.scoped("a create whose connection drops after commit is ambiguous, and ext-<id> shows it happened", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { commitThenDropRate: 1 } })
      const client = yield* connect(sandbox)
      const error = yield* Effect.flip(client.createCase("ext-BRW-1003", legacyCase("SMOKE-DROP")))
      expect(isOutcomeUnknown(error)).toBe(true)
      yield* sandbox.knobs.set({ commitThenDropRate: 0 })
      const found = yield* client.findCaseByExternalId("ext-BRW-1003", "SMOKE-DROP")
      expect(Option.isSome(found)).toBe(true)
      expect((yield* sandbox.state.cases).filter((c) => c.externalId === "SMOKE-DROP")).toHaveLength(1)
    }))

  it.live("under the sandbox's rate limit, 429s are waited out and every read succeeds", () =>
    Effect.scoped(
      Effect.gen(function*() {
        const sandbox = yield* startSandbox({ knobs: { rateLimit: 5 } })
        const client = yield* makePeachClient(
          makePeachClientConfig({ baseUrl: sandbox.url, auth: { _tag: "Bearer", token: "sandbox-token" }, maxAttempts: 8 })
        ).pipe(Effect.provide(FetchHttpClient.layer))
        const people = yield* Effect.forEach(
          Array.from({ length: 12 }, () => "ext-BRW-1001"),
          (id) => client.getPerson(id),
          { concurrency: "unbounded" }
        )
        expect(people).toHaveLength(12)
        const stats = yield* sandbox.stats.snapshot
        expect(stats.byStatus["429"] ?? 0).toBeGreaterThan(0)
        expect(stats.byStatus["200"]).toBe(12)
      })
    ), 20_000)

  it.live("a client paced below the sandbox's rate limit never sees a 429", () =>
    Effect.scoped(
      Effect.gen(function*() {
        const sandbox = yield* startSandbox({ knobs: { rateLimit: 20 } })
        const client = yield* makePeachClient(
          makePeachClientConfig({ baseUrl: sandbox.url, auth: { _tag: "Bearer", token: "sandbox-token" }, requestsPerSecond: 15 })
        ).pipe(Effect.provide(FetchHttpClient.layer))
        yield* Effect.forEach(Array.from({ length: 30 }), () => client.getPerson("ext-BRW-1001"), { concurrency: "unbounded" })
        const stats = yield* sandbox.stats.snapshot
        expect(stats.byStatus["429"]).toBeUndefined()
        expect(stats.byStatus["200"]).toBe(30)
      })
    ), 20_000)
})

describe("PeachClient against the sandbox: links in every spelling", () => {
  for (const basePath of ["/api", "/"]) {
    for (const linkStyle of ["rootRelative", "absolute"] as const) {
      it.scoped(`pages every list with ${linkStyle} links under base path ${basePath}`, () =>
        Effect.gen(function*() {
          const sandbox = yield* startSandbox({ basePath, linkStyle })
          const peach = yield* connect(sandbox)
          const cases = yield* Stream.runCollect(peach.listCompanyCases({ pageSize: 3 }))
          expect(Chunk.toReadonlyArray(cases).map((c) => c.id).sort()).toEqual((yield* sandbox.state.cases).map((c) => c.id).sort())
          const people = yield* Stream.runCollect(peach.listPeople({ pageSize: 7 }))
          expect(Chunk.size(people)).toBe(60)
          const types = yield* Stream.runCollect(peach.listCaseTypes({ pageSize: 2 }))
          expect(Chunk.size(types)).toBe(7)
          // Every page was one request: no link was glued onto the root (that would 404).
          const stats = yield* sandbox.stats.snapshot
          expect(stats.byEndpoint["GET /people"]).toEqual({ total: 9, byStatus: { "200": 9 } })
        }))
    }
  }
})

