import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { bearer, call, legacyCase } from "./SandboxHttp.js"

// The sandbox looks like a real server to an outside tester: the API under /api,
// links as root-relative paths, optional fields left out, a field the seeds do not
// name added, lists ordered by id. The CRM and the control routes keep their roots.

describe("Peach-style sandbox: where it lives", () => {
  it.scoped("serves the API under /api by default, the CRM at /crm and the control routes at the origin", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      expect(sandbox.url).toBe(`${sandbox.origin}/api`)
      expect(sandbox.crmUrl).toBe(`${sandbox.origin}/crm`)
      const get = (url: string, headers: Record<string, string> = bearer) =>
        Effect.promise(() => fetch(url, { headers }).then((r) => r.status))
      expect(yield* get(`${sandbox.origin}/api/people/ext-BRW-1001/cases`)).toBe(200)
      expect(yield* get(`${sandbox.origin}/people/ext-BRW-1001/cases`)).toBe(404)
      expect(yield* get(`${sandbox.origin}/api/crm/meta/object/case`, { "x-api-key": "sandbox-key" })).toBe(404)
      expect(yield* get(`${sandbox.origin}/crm/meta/object/case`, { "x-api-key": "sandbox-key" })).toBe(200)
      expect(yield* get(`${sandbox.origin}/_sandbox/stats`)).toBe(200)
      // Counted under the template the API documents, without the base path.
      expect((yield* sandbox.stats.snapshot).byEndpoint["GET /people/:personId/cases"]).toMatchObject({ total: 1 })
    }))

  it.scoped("serves the API at the server root with basePath /, and under any other plain path", () =>
    Effect.gen(function*() {
      const atRoot = yield* startSandbox({ basePath: "/" })
      expect(atRoot.url).toBe(atRoot.origin)
      expect((yield* call(atRoot, "GET", "/people?limit=1")).body.nextUrl).toMatch(/^\/people\?limit=1&startingAfter=/)
      const nested = yield* startSandbox({ basePath: "v2/peach/" })
      expect(nested.url).toBe(`${nested.origin}/v2/peach`)
      expect((yield* call(nested, "GET", "/people?limit=1")).body.nextUrl).toMatch(/^\/v2\/peach\/people\?limit=1&/)
    }))

  it.scoped("refuses a base path that overlaps /crm or /_sandbox, or is not a plain path", () =>
    Effect.gen(function*() {
      for (const basePath of ["/crm", "/crm/api", "/_sandbox", "/api?x=1"]) {
        const exit = yield* Effect.exit(startSandbox({ basePath }))
        expect(Exit.isFailure(exit), basePath).toBe(true)
        if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("base path")
      }
    }))
})

describe("Peach-style sandbox: links", () => {
  it.scoped("writes absolute links on the request's host when asked", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ linkStyle: "absolute" })
      const first = yield* call(sandbox, "GET", "/cases?limit=2")
      expect(first.body.nextUrl).toMatch(new RegExp(`^${sandbox.origin}/api/cases\\?limit=2&startingAfter=`))
      const second = yield* call(sandbox, "GET", first.body.nextUrl)
      expect(second.body.previousUrl).toMatch(new RegExp(`^${sandbox.origin}/api/cases\\?limit=2&endingBefore=`))
    }))
})

describe("Peach-style sandbox: lean bodies", () => {
  it.scoped("leaves out case types' createdAt and description, adds object, and omits nulls", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const types = (yield* call(sandbox, "GET", "/case-types")).body.data
      expect(types.length).toBeGreaterThan(0)
      for (const t of types) {
        expect(t).not.toHaveProperty("createdAt")
        expect(t).not.toHaveProperty("description")
        expect(t).toMatchObject({ object: "caseType", status: expect.any(String) })
        expect(Object.values(t)).not.toContain(null)
      }
      const one = (yield* call(sandbox, "GET", "/case-types/101")).body.data
      expect(one).not.toHaveProperty("description")
      const created = yield* call(sandbox, "POST", "/people/ext-BRW-1001/cases", { body: legacyCase("LEAN-1") })
      expect(created.status).toBe(200)
      expect(Object.values(created.body.data)).not.toContain(null)
      expect(created.body.data).not.toHaveProperty("deletedAt")
      // What is left out is still held: the full form shows it.
      const full = yield* startSandbox({ responses: "full" })
      const fullType = (yield* call(full, "GET", "/case-types/101")).body.data
      expect(fullType).toMatchObject({ createdAt: expect.any(String), description: expect.any(String), updatedAt: null })
      expect(fullType).not.toHaveProperty("object")
    }))

  it.scoped("orders every list by id, not by creation", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const created: Array<string> = []
      for (let i = 0; i < 5; i++) {
        created.push((yield* call(sandbox, "POST", "/people/ext-BRW-1002/cases", { body: legacyCase(`ORDER-${i}`) })).body.data.id)
      }
      const listed: Array<string> = (yield* call(sandbox, "GET", "/people/ext-BRW-1002/cases?limit=100")).body.data.map((c: any) => c.id)
      expect(listed).toEqual([...listed].sort())
      expect(listed).toEqual(expect.arrayContaining(created))
      const people: Array<string> = (yield* call(sandbox, "GET", "/people?limit=100")).body.data.map((p: any) => p.id)
      expect(people).toEqual([...people].sort())
    }))
})
