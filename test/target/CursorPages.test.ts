import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import nock from "nock"
import { apiOrigin, useNock } from "../http/NockTestKit.js"
import { fullCaseJson } from "../domain/PeachSamples.js"
import { withPeach } from "./PeachTestKit.js"

useNock()

const caseJson = (n: number) => fullCaseJson({ id: `CS-0000-000${n}`, externalId: `CRM-${n}` })
const page = (ns: ReadonlyArray<number>, nextUrl: string | null | undefined, total = 5) => ({
  status: 200,
  total,
  count: ns.length,
  ...(nextUrl === undefined ? {} : { nextUrl, previousUrl: null }),
  data: ns.map(caseJson)
})
const ids = <E>(stream: Stream.Stream<{ readonly id: string }, E>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk).map((c) => c.id))

describe("cursor pagination", () => {
  it.effect("follows nextUrl across 3 pages, sending the page size as limit", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" })
        .reply(200, page([1, 2], "/api/cases?limit=2&startingAfter=CS-0000-0002"))
      nock(apiOrigin).get("/api/cases").query({ limit: "2", startingAfter: "CS-0000-0002" })
        .reply(200, page([3, 4], "/api/cases?limit=2&startingAfter=CS-0000-0004"))
      nock(apiOrigin).get("/api/cases").query({ limit: "2", startingAfter: "CS-0000-0004" })
        .reply(200, page([5], null))
      const result = yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 })))
      expect(result).toEqual(["CS-0000-0001", "CS-0000-0002", "CS-0000-0003", "CS-0000-0004", "CS-0000-0005"])
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("uses the configured page size when the call names none", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/people/BO-UJZD-E8GX/cases").query({ limit: "7" }).reply(200, page([1], null))
      const result = yield* withPeach((peach) => ids(peach.listBorrowerCases("BO-UJZD-E8GX")), { pageSize: 7 })
      expect(result).toEqual(["CS-0000-0001"])
    }))

  it.effect("reads lazily: taking the first page's items sends one request", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" })
        .reply(200, page([1, 2], "/api/cases?limit=2&startingAfter=CS-0000-0002"))
      const second = nock(apiOrigin).get("/api/cases").query(true).reply(200, page([3], null))
      const result = yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 }).pipe(Stream.take(2))))
      expect(result).toHaveLength(2)
      expect(second.isDone()).toBe(false)
    }))

  it.effect("falls back to startingAfter=<last id> when nextUrl is absent but the page was full", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" }).reply(200, page([1, 2], undefined))
      nock(apiOrigin).get("/api/cases").query({ limit: "2", startingAfter: "CS-0000-0002" }).reply(200, page([3], undefined))
      const result = yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 })))
      expect(result).toEqual(["CS-0000-0001", "CS-0000-0002", "CS-0000-0003"])
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("stops at nextUrl null even after a full page, and at an empty page", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" }).reply(200, page([1, 2], null))
      expect(yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 })))).toHaveLength(2)
      nock(apiOrigin).get("/api/cases").query({ limit: "2" }).reply(200, page([], "/api/cases?limit=2&startingAfter=X"))
      expect(yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 })))).toEqual([])
    }))

  it.effect("resumes after a checkpoint id, and adds limit to a nextUrl that lacks it", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "3", startingAfter: "CS-0000-0002" })
        .reply(200, page([3], "/api/cases?startingAfter=CS-0000-0003"))
      nock(apiOrigin).get("/api/cases").query({ limit: "3", startingAfter: "CS-0000-0003" }).reply(200, page([4], null))
      const result = yield* withPeach((peach) =>
        ids(peach.listCompanyCases({ pageSize: 3, startingAfter: "CS-0000-0002" }))
      )
      expect(result).toEqual(["CS-0000-0003", "CS-0000-0004"])
    }))

  it.effect("a failing page fails the stream with its typed error after the earlier items", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" })
        .reply(200, page([1, 2], "/api/cases?limit=2&startingAfter=CS-0000-0002"))
      nock(apiOrigin).get("/api/cases").query(true).reply(500, { status: 500, message: "db down" })
      const seen: Array<string> = []
      const error = yield* withPeach((peach) =>
        peach.listCompanyCases({ pageSize: 2 }).pipe(
          Stream.runForEach((c) => Effect.sync(() => seen.push(c.id))),
          Effect.flip
        )
      )
      expect(seen).toEqual(["CS-0000-0001", "CS-0000-0002"])
      expect(error).toMatchObject({ _tag: "ServerError", status: 500, serverMessage: "db down" })
    }))

  it.effect("a page item that breaks the contract fails with its path, e.g. data[1].status", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query(true)
        .reply(200, { ...page([1], null), data: [caseJson(1), { ...caseJson(2), status: "open" }] })
      const error = yield* withPeach((peach) => Effect.flip(Stream.runDrain(peach.listCompanyCases({ pageSize: 2 }))))
      expect(error).toMatchObject({ _tag: "Decode", path: "data[1].status" })
    }))

  it.effect("a nextUrl that repeats the page just read is a contract error, not an endless loop", () =>
    Effect.gen(function*() {
      const loop = "/api/cases?limit=2&startingAfter=CS-0000-0002"
      nock(apiOrigin).get("/api/cases").query({ limit: "2" }).reply(200, page([1, 2], loop))
      nock(apiOrigin).get("/api/cases").query({ limit: "2", startingAfter: "CS-0000-0002" }).reply(200, page([3, 4], loop))
      const error = yield* withPeach((peach) => Effect.flip(Stream.runDrain(peach.listCompanyCases({ pageSize: 2 }))))
      expect(error).toMatchObject({ _tag: "Decode", path: "nextUrl" })
    }))

  it.effect("a page size outside 1..100 is refused before any request", () =>
    Effect.gen(function*() {
      for (const pageSize of [0, 101, 2.5]) {
        const error = yield* withPeach((peach) => Effect.flip(Stream.runDrain(peach.listCompanyCases({ pageSize }))))
        expect(error).toMatchObject({ _tag: "Invalid", fieldErrors: [{ field: "limit" }] })
      }
    }))
})

/**
 * A link is resolved against the URL of the response it came in (RFC 3986), never
 * glued onto the API root: each spelling, under a base path and at the origin's root.
 */
describe("pagination links resolve like the web resolves them", () => {
  const spellings = (root: string) => {
    const rootPath = new URL(root).pathname.replace(/\/$/, "")
    return [
      ["absolute", `${root}/cases?limit=2&startingAfter=CS-0000-0002`],
      ["root-relative", `${rootPath}/cases?limit=2&startingAfter=CS-0000-0002`],
      ["relative to the page", "cases?limit=2&startingAfter=CS-0000-0002"],
      ["query only", "?limit=2&startingAfter=CS-0000-0002"]
    ] as const
  }
  for (const root of [`${apiOrigin}/api`, apiOrigin]) {
    const casesPath = `${new URL(root).pathname.replace(/\/$/, "")}/cases`
    for (const [spelling, link] of spellings(root)) {
      it.effect(`${spelling} nextUrl (${link}) under ${root} reaches ${casesPath}`, () =>
        Effect.gen(function*() {
          nock(apiOrigin).get(casesPath).query({ limit: "2" }).reply(200, page([1, 2], link))
          nock(apiOrigin).get(casesPath).query({ limit: "2", startingAfter: "CS-0000-0002" }).reply(200, page([3], null))
          const result = yield* withPeach((peach) => ids(peach.listCompanyCases({ pageSize: 2 })), { baseUrl: root })
          expect(result).toEqual(["CS-0000-0001", "CS-0000-0002", "CS-0000-0003"])
          expect(nock.isDone()).toBe(true)
        }))
    }
  }

  it.effect("a relative link on a borrower's list stays under that borrower", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/people/BO-UJZD-E8GX/cases").query({ limit: "1" })
        .reply(200, page([1], "cases?limit=1&startingAfter=CS-0000-0001"))
      nock(apiOrigin).get("/api/people/BO-UJZD-E8GX/cases").query({ limit: "1", startingAfter: "CS-0000-0001" })
        .reply(200, page([2], null))
      const result = yield* withPeach((peach) => ids(peach.listBorrowerCases("BO-UJZD-E8GX", { pageSize: 1 })))
      expect(result).toEqual(["CS-0000-0001", "CS-0000-0002"])
    }))

  it.effect("a link to another origin is refused: the credentials are not sent there", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/cases").query({ limit: "2" })
        .reply(200, page([1, 2], "http://elsewhere.casesync.test/api/cases?limit=2&startingAfter=CS-0000-0002"))
      const error = yield* withPeach((peach) => Effect.flip(Stream.runDrain(peach.listCompanyCases({ pageSize: 2 }))))
      expect(error).toMatchObject({ _tag: "Decode", path: "nextUrl" })
      expect(error.message).toContain("http://elsewhere.casesync.test")
    }))
})
