import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import people from "../../samples/peach/people.json" with { type: "json" }
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { call, fieldsOf, type Reply } from "./SandboxHttp.js"

// Seed 002 rules, applied to every list (PEACH_ROUTES.md): limit 1..100 default 25,
// startingAfter / endingBefore exclusive cursors (not both), ordered by id (not by
// creation, as a real server's index may order them), nextUrl / previousUrl as
// root-relative paths under the base path (/api) or null, total = all matching items.

const personIds: ReadonlyArray<string> = people.map((p) => p.id).sort()

/** Follows `nextUrl` (or `previousUrl`) from `start` until null, collecting ids page by page. */
const walk = (sandbox: { url: string; origin: string }, start: string, direction: "nextUrl" | "previousUrl") =>
  Effect.gen(function*() {
    const pages: Array<ReadonlyArray<string>> = []
    let url: string | null = start
    while (url !== null) {
      const reply: Reply = yield* call(sandbox, "GET", url)
      expect(reply.status, url).toBe(200)
      expect(reply.body.count).toBe(reply.body.data.length)
      pages.push(reply.body.data.map((item: { id: string }) => item.id))
      url = reply.body[direction]
      expect(pages.length).toBeLessThan(100)
    }
    return pages
  })

describe("Peach-style sandbox: pagination", () => {
  it.scoped("refuses a limit outside 1..100, or not an integer, with 400 naming limit", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      for (const limit of ["0", "101", "-1", "abc", "2.5", ""]) {
        const reply = yield* call(sandbox, "GET", `/people?limit=${limit}`)
        expect(reply.status, `limit=${limit}`).toBe(400)
        expect(fieldsOf(reply)).toEqual(["limit"])
      }
      expect((yield* call(sandbox, "GET", "/people?limit=1")).body.count).toBe(1)
      expect((yield* call(sandbox, "GET", "/people?limit=100")).body.count).toBe(60)
      expect((yield* call(sandbox, "GET", "/cases?limit=101")).status).toBe(400)
      expect((yield* call(sandbox, "GET", "/case-types?limit=0")).status).toBe(400)
      expect((yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases?limit=0")).status).toBe(400)
    }))

  it.scoped("pages 25 items by default, with total counting every item", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const reply = yield* call(sandbox, "GET", "/people")
      expect(reply.body).toMatchObject({ status: 200, total: 60, count: 25, previousUrl: null })
      expect(reply.body.data.map((p: any) => p.id)).toEqual(personIds.slice(0, 25))
      expect(reply.body.nextUrl).toBe(`/api/people?limit=25&startingAfter=${personIds[24]}`)
    }))

  it.scoped("startingAfter gives the items after the cursor; endingBefore the limit items right before it", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const after = yield* call(sandbox, "GET", `/people?limit=5&startingAfter=${personIds[9]}`)
      expect(after.body.data.map((p: any) => p.id)).toEqual(personIds.slice(10, 15))
      expect(after.body.previousUrl).toBe(`/api/people?limit=5&endingBefore=${personIds[10]}`)
      expect(after.body.nextUrl).toBe(`/api/people?limit=5&startingAfter=${personIds[14]}`)
      const before = yield* call(sandbox, "GET", `/people?limit=3&endingBefore=${personIds[9]}`)
      expect(before.body.data.map((p: any) => p.id)).toEqual(personIds.slice(6, 9))
      const nearStart = yield* call(sandbox, "GET", `/people?limit=5&endingBefore=${personIds[2]}`)
      expect(nearStart.body.data.map((p: any) => p.id)).toEqual(personIds.slice(0, 2))
      expect(nearStart.body.previousUrl).toBeNull()
      const last = yield* call(sandbox, "GET", `/people?limit=5&startingAfter=${personIds[57]}`)
      expect(last.body.data.map((p: any) => p.id)).toEqual(personIds.slice(58))
      expect(last.body.nextUrl).toBeNull()
    }))

  it.scoped("refuses both cursors at once, and a cursor that is not in the list", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const both = yield* call(sandbox, "GET", `/people?startingAfter=${personIds[1]}&endingBefore=${personIds[5]}`)
      expect(both.status).toBe(400)
      const unknown = yield* call(sandbox, "GET", "/people?startingAfter=BO-NONE-0000")
      expect(unknown.status).toBe(400)
      expect(fieldsOf(unknown)).toEqual(["startingAfter"])
      // A case of another borrower is not in this borrower's list.
      const foreign = yield* call(sandbox, "GET", "/people/ext-BRW-1001/cases?endingBefore=CS-H3TD-91PB")
      expect(foreign.status).toBe(400)
      expect(fieldsOf(foreign)).toEqual(["endingBefore"])
    }))

  it.scoped("walking nextUrl covers every item exactly once, in order; walking previousUrl back does too", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const forward = yield* walk(sandbox, "/people?limit=7", "nextUrl")
      expect(forward.map((page) => page.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4])
      expect(forward.flat()).toEqual(personIds)
      const lastPage = yield* call(sandbox, "GET", `/people?limit=7&startingAfter=${personIds[52]}`)
      expect(lastPage.body.nextUrl).toBeNull()
      const backward = yield* walk(sandbox, `/people?limit=7&startingAfter=${personIds[52]}`, "previousUrl")
      expect([...backward].reverse().flat()).toEqual(personIds)
    }))

  it.scoped("pages a borrower's cases and the company's cases the same way, new cases in id order", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const created: Array<string> = []
      for (let i = 0; i < 12; i++) {
        const reply = yield* call(sandbox, "POST", "/people/ext-BRW-1004/cases", {
          body: { typeId: "101", externalId: `PAGE-${i}` }
        })
        created.push(reply.body.data.id)
      }
      const mine = yield* walk(sandbox, "/people/ext-BRW-1004/cases?limit=5", "nextUrl")
      expect(mine.flat()).toEqual([...created].sort())
      const first = yield* call(sandbox, "GET", "/people/ext-BRW-1004/cases?limit=5")
      expect(first.body.total).toBe(12)
      expect(first.body.nextUrl).toBe(`/api/people/ext-BRW-1004/cases?limit=5&startingAfter=${[...created].sort()[4]}`)
      const all = yield* walk(sandbox, "/cases?limit=4", "nextUrl")
      expect(all.flat()).toEqual(["CS-7Q2M-4KX9", "CS-H3TD-91PB", "CS-0B8R-Z6WN", "CS-M5VJ-2ECQ", ...created].sort())
    }))

  it.scoped("pages case types and keeps the filters in the links", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const pages = yield* walk(sandbox, "/case-types?limit=3", "nextUrl")
      expect(pages).toEqual([["101", "102", "103"], ["104", "105", "106"], ["107"]])
      yield* call(sandbox, "PUT", "/case-types/102", { body: { loanTypeId: "LT-1" } })
      yield* call(sandbox, "PUT", "/case-types/104", { body: { loanTypeId: "LT-1" } })
      const filtered = yield* call(sandbox, "GET", "/case-types?limit=1&loanTypeId=LT-1")
      expect(filtered.body).toMatchObject({ total: 2, count: 1 })
      expect(filtered.body.data[0].id).toBe("102")
      expect(filtered.body.nextUrl).toBe("/api/case-types?loanTypeId=LT-1&limit=1&startingAfter=102")
      const second = yield* call(sandbox, "GET", filtered.body.nextUrl)
      expect(second.body.data.map((t: any) => t.id)).toEqual(["104"])
      expect(second.body.nextUrl).toBeNull()
    }))
})
