import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BigTarget, startBigTarget } from "../../bench/bigTarget.js"
import { planFileFigures, planOnce } from "../../bench/plan.js"
import { Case } from "../../src/domain/peach/index.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"

// The bench's target stands in for the sandbox at sizes the sandbox cannot page quickly: these
// tests hold it to the sandbox's answers, and to the decisions the bench says its cases give.

const bearer = { authorization: "Bearer sandbox-token" }
const get = async (url: string, headers: Record<string, string> = bearer) => {
  const response = await fetch(url, { headers })
  return { status: response.status, text: await response.text() }
}

describe("bench/bigTarget.ts", () => {
  let target: BigTarget
  beforeAll(async () => {
    target = await startBigTarget(250)
  })
  afterAll(() => target.close())

  it("serves the seed people and case types as the sandbox does, byte for byte, paging included", async () => {
    const queries = ["/case-types", "/case-types?limit=3", "/people?limit=100", "/people?limit=7&startingAfter=BO-1DHO-DZDO", "/people?limit=0", "/people?startingAfter=BO-NONE-0000"]
    const [ours, sandbox] = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const sandbox = yield* startSandbox({ port: 0 })
      return yield* Effect.promise(() =>
        Promise.all([Promise.all(queries.map((q) => get(target.url + q))), Promise.all(queries.map((q) => get(sandbox.url + q)))])
      )
    })))
    expect(ours).toEqual(sandbox)
    expect(ours[0]!.status).toBe(200)
  })

  it("pages every case once, in id order, each a valid Case, following root-relative nextUrl", async () => {
    const before = target.stats().caseListRequests
    const origin = new URL(target.url).origin
    const ids: Array<string> = []
    let next: string | null = `${target.url}/cases?limit=100`
    while (next !== null) {
      const page = JSON.parse((await get(next)).text) as { total: number; nextUrl: string | null; data: Array<unknown> }
      expect(page.total).toBe(250)
      ids.push(...page.data.map((c) => Schema.decodeUnknownSync(Case)(c).id))
      next = page.nextUrl === null ? null : new URL(page.nextUrl, origin).href
    }
    expect(ids).toHaveLength(250)
    expect(new Set(ids).size).toBe(250)
    expect([...ids].sort()).toEqual(ids)
    expect(target.stats().caseListRequests - before).toBe(3)
  })

  it("refuses what the sandbox refuses: no credentials, a bad limit, a cursor outside the list", async () => {
    expect((await get(`${target.url}/cases`, {})).status).toBe(401)
    expect((await get(`${target.url}/cases?limit=101`)).status).toBe(400)
    expect((await get(`${target.url}/cases?startingAfter=CS-BNCH-0000000250`)).status).toBe(400)
    expect((await get(`${target.url}/cases?startingAfter=CS-0B8R-Z6WN`)).status).toBe(400)
  })

  it("gives plan the decisions the bench describes: of rows it holds, 1 in 4 create, 1 in 4 update, the rest unchanged", async () => {
    const small = await startBigTarget(20)
    try {
      // Rows 20..23 lie beyond the target's cases: creates too.
      const run = await Effect.runPromise(planOnce(24, small.url))
      expect(run.decisions).toBe("read 24 = to create 9 + to update 5 + unchanged 10 + rejected 0 + conflicts 0 + skipped 0")
      expect(run.creates).toBe(9)
      expect(small.stats()).toMatchObject({ caseListRequests: 1, peopleRequests: 1, caseTypeRequests: 1, otherRequests: 0 })
    } finally {
      await small.close()
    }
  })
})

describe("planFileFigures", () => {
  it("reads the counts line's creates and the create lines' bytes, separators included", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-figures-"))
    try {
      const file = path.join(dir, "plan.json")
      const lines = [
        `{"header": {"format":"casesync-plan/1"},`,
        `"items": [`,
        `{"_tag":"create","sourceKey":"ééé"},`,
        `{"_tag":"unchanged","sourceKey":"b"},`,
        `{"_tag":"create","sourceKey":"c"}`,
        `],`,
        `"counts": {"read":3,"create":2,"update":0,"unchanged":1,"reject":0,"conflict":0,"skipped":0},`,
        `"digest": {}}`
      ]
      fs.writeFileSync(file, lines.join("\n") + "\n")
      const figures = await planFileFigures(file)
      expect(figures.planBytes).toBe(Buffer.byteLength(lines.join("\n") + "\n"))
      expect(figures.creates).toBe(2)
      // 39 bytes (each "é" takes two) and 33, each with its newline: 40 and 34.
      expect(figures.bytesPerCreateLine).toBe(37)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
