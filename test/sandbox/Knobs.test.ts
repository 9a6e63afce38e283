import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, TestClock } from "effect"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { apiKey, attempt, call, fieldsOf, legacyCase } from "./SandboxHttp.js"

/** Waits (on real time: the request travels through real sockets) until `check` holds. */
const eventually = <A>(check: Effect.Effect<A | undefined>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      const value = yield* check
      if (value !== undefined) return value
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    throw new Error("condition never held")
  })

const statuses = (sandbox: { url: string; origin: string }, count: number) =>
  Effect.forEach(Array.from({ length: count }), () =>
    Effect.map(attempt(sandbox, "GET", "/people?limit=1"), Either.match({ onLeft: () => "dropped", onRight: (r) => r.status })))

describe("Peach-style sandbox: auth", () => {
  it.scoped("answers 401 without valid credentials, accepts the bearer token or the API key", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const refused: ReadonlyArray<Record<string, string>> = [
        {},
        { authorization: "Bearer wrong" },
        { authorization: "Basic c2FuZGJveC10b2tlbg==" },
        { "x-api-key": "wrong" },
        { "x-api-key": "sandbox-token" }
      ]
      for (const headers of refused) {
        const reply = yield* call(sandbox, "GET", "/cases", { anonymous: true, headers })
        expect(reply.status, JSON.stringify(headers)).toBe(401)
        expect(reply.body.status).toBe(401)
      }
      expect((yield* call(sandbox, "GET", "/cases", { anonymous: true, headers: apiKey })).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(200)
      const denied = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { anonymous: true, body: legacyCase("A") })
      expect(denied.status).toBe(401)
      expect((yield* sandbox.state.cases).length).toBe(4)
    }))

  it.scoped("takes its credentials from the options", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ credentials: { token: "t0k", apiKey: "k3y" } })
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(401)
      expect((yield* call(sandbox, "GET", "/cases", { anonymous: true, headers: { authorization: "Bearer t0k" } })).status)
        .toBe(200)
      expect((yield* call(sandbox, "GET", "/cases", { anonymous: true, headers: { "x-api-key": "k3y" } })).status)
        .toBe(200)
    }))
})

describe("Peach-style sandbox: knobs", () => {
  it.scoped("holds each request for latencyMs on the sandbox's clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(0)
      const sandbox = yield* startSandbox({ knobs: { latencyMs: 1500 } })
      const fiber = yield* Effect.fork(call(sandbox, "GET", "/people?limit=1"))
      const sleeps = yield* eventually(Effect.map(TestClock.sleeps(), (s) => s.length > 0 ? s : undefined))
      expect(Chunk.toReadonlyArray(sleeps)).toEqual([1500])
      yield* TestClock.adjust("1499 millis")
      expect((yield* sandbox.stats.snapshot).total).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }))

  it.scoped("answers 429 with Retry-After once the token bucket is empty, and serves again after a refill", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { rateLimit: 2 } })
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(200)
      const limited = yield* call(sandbox, "GET", "/cases")
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("1")
      expect(limited.body.status).toBe(429)
      yield* TestClock.adjust("500 millis")
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/cases")).status).toBe(429)
      const slow = yield* startSandbox({ knobs: { rateLimit: 0.25 } })
      yield* call(slow, "GET", "/cases")
      expect((yield* call(slow, "GET", "/cases")).headers.get("retry-after")).toBe("4")
    }))

  it.scoped("injects 500 and 503 at faultRate, reproducibly for one seed", () =>
    Effect.gen(function*() {
      const always = yield* startSandbox({ knobs: { faultRate: 1 } })
      const faults = yield* statuses(always, 20)
      expect(new Set(faults)).toEqual(new Set([500, 503]))
      const reply = yield* call(always, "GET", "/cases")
      expect(reply.body.status).toBe(reply.status)
      expect((yield* always.state.cases).length).toBe(4)

      const first = yield* statuses(yield* startSandbox({ knobs: { faultRate: 0.5, seed: 7 } }), 30)
      const second = yield* statuses(yield* startSandbox({ knobs: { faultRate: 0.5, seed: 7 } }), 30)
      const other = yield* statuses(yield* startSandbox({ knobs: { faultRate: 0.5, seed: 8 } }), 30)
      expect(second).toEqual(first)
      expect(new Set(first)).toEqual(new Set([200, 500, 503]))
      expect(other).not.toEqual(first)
    }))

  it.scoped("drops connections at dropRate before handling: nothing is written", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { dropRate: 1 } })
      const dropped = yield* attempt(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("DROP-1") })
      expect(Either.isLeft(dropped)).toBe(true)
      expect((yield* sandbox.state.cases).some((c) => c.externalId === "DROP-1")).toBe(false)
      const stats = yield* sandbox.stats.snapshot
      expect(stats.byEndpoint["POST /people/:personId/cases"]).toEqual({ total: 1, byStatus: { dropped: 1 } })
      expect(stats.committedThenDropped).toBe(0)
    }))

  it.scoped("commit-then-drop commits the create, then drops the connection; the retry meets 409", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { commitThenDropRate: 1 } })
      const ambiguous = yield* attempt(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("AMB-1") })
      expect(Either.isLeft(ambiguous)).toBe(true)
      // Reads are never dropped by this knob, and the case is there.
      const read = yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-AMB-1")
      expect(read.status).toBe(200)
      expect(read.body.data.externalId).toBe("AMB-1")
      // Turned off at runtime, as a test of the CLI in a child process would.
      const knobs = yield* call(sandbox, "POST", "/_sandbox/knobs", { anonymous: true, body: { commitThenDropRate: 0 } })
      expect(knobs.body.data.commitThenDropRate).toBe(0)
      const retry = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("AMB-1") })
      expect(retry.status).toBe(409)
      expect((yield* sandbox.state.cases).filter((c) => c.externalId === "AMB-1")).toHaveLength(1)
      const stats = yield* sandbox.stats.snapshot
      expect(stats.committedThenDropped).toBe(1)
      expect(stats.byEndpoint["POST /people/:personId/cases"]).toEqual({ total: 2, byStatus: { dropped: 1, "409": 1 } })
    }))

  it.scoped("commit-then-drop leaves failed writes answered (nothing was committed)", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { commitThenDropRate: 1 } })
      const invalid = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: { typeId: "107" } })
      expect(invalid.status).toBe(400)
      const duplicate = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("PEACH-NATIVE-1") })
      expect(duplicate.status).toBe(409)
    }))

  it.scoped("validates knob changes and reports the current knobs", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const current = yield* call(sandbox, "GET", "/_sandbox/knobs", { anonymous: true })
      expect(current.body.data).toEqual({
        latencyMs: 0,
        latencyJitterMs: 0,
        rateLimit: null,
        faultRate: 0,
        dropRate: 0,
        commitThenDropRate: 0,
        seed: 42
      })
      const bad = yield* call(sandbox, "POST", "/_sandbox/knobs", { anonymous: true, body: { faultRate: 2, dropRate: "x" } })
      expect(bad.status).toBe(400)
      expect(fieldsOf(bad)).toEqual(["faultRate", "dropRate"])
      const set = yield* call(sandbox, "POST", "/_sandbox/knobs", { anonymous: true, body: { faultRate: 1 } })
      expect(set.body.data.faultRate).toBe(1)
      expect([500, 503]).toContain((yield* call(sandbox, "GET", "/cases")).status)
      expect(yield* Effect.either(startSandbox({ knobs: { dropRate: -1 } }))).toMatchObject({
        _tag: "Left",
        left: { _tag: "SandboxStartError", reason: "InvalidKnobs" }
      })
    }))
})

describe("Peach-style sandbox: stats and reset", () => {
  it.scoped("counts requests by method + route template and by status; control routes are not counted", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("S-1") })
      yield* call(sandbox, "POST", "/people/ext-BRW-1002/cases", { body: legacyCase("S-1") })
      yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-S-1")
      yield* call(sandbox, "GET", "/people/BO-UJZD-E8GX/cases/ext-S-1")
      yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-NOPE")
      yield* call(sandbox, "GET", "/cases", { anonymous: true })
      yield* call(sandbox, "PUT", "/case-types/101", { body: { name: "Renamed" } })
      const reply = yield* call(sandbox, "GET", "/_sandbox/stats", { anonymous: true })
      yield* call(sandbox, "GET", "/_sandbox/stats", { anonymous: true })
      expect(reply.status).toBe(200)
      expect(reply.body.data).toEqual({
        total: 7,
        byEndpoint: {
          "POST /people/:personId/cases": { total: 2, byStatus: { "200": 1, "409": 1 } },
          "GET /people/:personId/cases/:caseId": { total: 3, byStatus: { "200": 2, "404": 1 } },
          "GET /cases": { total: 1, byStatus: { "401": 1 } },
          "PUT /case-types/:caseTypeId": { total: 1, byStatus: { "200": 1 } }
        },
        byStatus: { "200": 4, "409": 1, "404": 1, "401": 1 },
        committedThenDropped: 0
      })
      expect(yield* sandbox.stats.snapshot).toEqual(reply.body.data)
    }))

  it.scoped("reset puts the seed back, zeroes the counts and replays the same faults", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { faultRate: 0.5, seed: 3 } })
      const before = yield* statuses(sandbox, 10)
      yield* call(sandbox, "POST", "/_sandbox/knobs", { anonymous: true, body: { faultRate: 0 } })
      yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("R-1") })
      yield* call(sandbox, "PUT", "/case-types/101", { body: { name: "Renamed" } })
      expect((yield* sandbox.state.cases).length).toBe(5)

      const reset = yield* call(sandbox, "POST", "/_sandbox/reset", { anonymous: true })
      expect(reset.status).toBe(204)
      expect((yield* sandbox.state.cases).map((c) => c.id)).toEqual([
        "CS-7Q2M-4KX9",
        "CS-H3TD-91PB",
        "CS-0B8R-Z6WN",
        "CS-M5VJ-2ECQ"
      ])
      expect((yield* call(sandbox, "GET", "/case-types/101")).body.data).toMatchObject({ version: 1, status: "active" })
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases/ext-R-1")).status).toBe(404)
      expect((yield* sandbox.stats.snapshot).total).toBe(2)

      yield* sandbox.reset
      expect(yield* sandbox.stats.snapshot).toEqual({ total: 0, byEndpoint: {}, byStatus: {}, committedThenDropped: 0 })
      yield* call(sandbox, "POST", "/_sandbox/knobs", { anonymous: true, body: { faultRate: 0.5 } })
      yield* sandbox.reset
      expect(yield* statuses(sandbox, 10)).toEqual(before)
    }))

  it.scoped("generates the same case ids for the same seed", () =>
    Effect.gen(function*() {
      const ids = (seed: number) =>
        Effect.gen(function*() {
          const sandbox = yield* startSandbox({ knobs: { seed } })
          const created = yield* Effect.forEach([1, 2, 3], (i) =>
            call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase(`ID-${i}`) }))
          return created.map((r) => r.body.data.id as string)
        })
      const first = yield* ids(11)
      expect(yield* ids(11)).toEqual(first)
      expect(yield* ids(12)).not.toEqual(first)
      for (const id of first) expect(id).toMatch(/^CS-[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    }))
})
