/**
 * A stateless Peach-style target holding `cases` generated cases, for `plan` to list at sizes the
 * sandbox cannot hold efficiently (its pagination scans the whole list for each page's cursor).
 * Under /api it answers what `plan` reads, as the sandbox does (bearer token or API key, lean
 * responses, `limit` / `startingAfter` paging with root-relative `nextUrl`): `GET /case-types` and
 * `GET /people` with the sandbox's seed, and `GET /cases`, whose case i is computed from the cursor:
 * - i % 4 = 0 or 1: the case generated CSV row i (bench/migrate.ts) maps to, so that row is unchanged;
 * - i % 4 = 2: the same case moved to `processing` in Peach, so that row is an update;
 * - i % 4 = 3: a case opened in Peach (externalId `peach-native-<i>`), so that row is a create.
 * It counts the requests per list and the seconds from the first case page asked to the last served.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { CaseType } from "../src/domain/peach/index.js"
import type { ApiError } from "../src/sandbox/ApiError.js"
import { paginate, parsePageRequest } from "../src/sandbox/peach/Pagination.js"
import { listedCaseTypes } from "../src/sandbox/peach/CaseTypeWrites.js"
import { samplePeachFixtures } from "../src/sandbox/peach/PeachFixtures.js"
import { makeStore, sandboxApiUser, sandboxCompanyId } from "../src/sandbox/peach/PeachStore.js"
import { byId, toWire } from "../src/sandbox/peach/PeachWire.js"
import { defaultCredentials } from "../src/sandbox/SandboxOptions.js"
import { legacyRow } from "./migrate.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** What the target served so far. */
export interface BigTargetStats {
  readonly caseListRequests: number
  readonly peopleRequests: number
  readonly caseTypeRequests: number
  /** Requests to anything else (plan should make none). */
  readonly otherRequests: number
  /** From the first `GET /cases` received to the last one answered. */
  readonly listingSeconds: number
}

/** A running big target: its API root (for a config's `baseUrl`), its counters, and how to stop it. */
export interface BigTarget {
  readonly url: string
  readonly stats: () => BigTargetStats
  readonly close: () => Promise<void>
}

const store = makeStore(samplePeachFixtures)
const people = byId(store.people, (p) => p.id)
const caseTypes = byId(listedCaseTypes(store), (t) => t.id)
const legacyType = caseTypes.find((t) => t.name === "Legacy servicing case")!
// Peach-native cases take the active types that carry the notes field they are given.
const nativeTypes = caseTypes.filter((t) => t.status === "active" && t.customFieldSchemas?.some((f) => f.name === "legacyNotes"))
// The mapping's agent lookup, so a mirrored case holds the e-mail the row maps to.
const agentEmails = new Map(
  fs.readFileSync(path.join(root, "samples/lookups/agents.csv"), "utf8").trim().split(/\r?\n/).slice(1)
    .map((line) => line.split(",")).map(([code, email]) => [code!, email!] as const)
)

const caseTypeMeta = (type: CaseType) => ({ base: type.caseType, id: type.id, name: type.name, derivedFromTypeId: type.derivedFromTypeId ?? null, version: type.version })
const idWidth = 10
const caseId = (i: number) => `CS-BNCH-${String(i).padStart(idWidth, "0")}`
const indexOf = (id: string) => /^CS-BNCH-\d{10}$/.test(id) ? Number(id.slice(8)) : -1
const epoch = Date.UTC(2024, 0, 1)

/** Case i of the target, as the sandbox's lean `GET /cases` writes a case. */
const generatedCase = (i: number): unknown => {
  const stamp = new Date(epoch + i * 60_000).toISOString()
  const row = legacyRow(i)
  const native = i % 4 === 3
  const type = native ? nativeTypes[i % nativeTypes.length]! : legacyType
  const person = native ? people[i % people.length]! : store.personByExternalId.get(row.borrowerRef)!
  // The mapping sends OPEN as `initiated`, P3 as `normal`, and the row's New York wall time (January: UTC-5).
  const fields = native
    ? { externalId: `peach-native-${i}`, name: `Peach case ${i}`, status: "processing", customFields: { legacyNotes: "Opened in Peach" }, openedAt: stamp }
    : {
      externalId: `legacy-${row.caseId}`,
      name: row.subject,
      status: i % 4 === 2 ? "processing" : "initiated",
      customFields: { legacyPriority: "normal", legacyChannel: "phone", legacyAgentEmail: agentEmails.get(row.agentCode), legacyNotes: row.notes },
      metaData: { legacyBranch: row.branch },
      openedAt: `2023-01-${row.day}T15:00:00.000Z`
    }
  return toWire("lean", "case", {
    id: caseId(i), object: "case", createdAt: stamp, updatedAt: stamp, people: [person.id], borrowerIds: [person.id],
    companyId: sandboxCompanyId, caseTypeMeta: caseTypeMeta(type), createdByUser: sandboxApiUser, autoCreated: false,
    statusUpdatedAt: stamp, statusUpdatedBy: sandboxApiUser, associations: [], lastSubresourceUpdatedAt: stamp,
    lastSubresourceUpdatedBy: sandboxApiUser, typeId: type.id, ...fields
  })
}

type Query = Record<string, string | Array<string>>
const queryOf = (url: URL): Query => {
  const query: Query = {}
  for (const [key, value] of url.searchParams) {
    const seen = query[key]
    query[key] = seen === undefined ? value : [...(typeof seen === "string" ? [seen] : seen), value]
  }
  return query
}
const apiError = (error: ApiError) => ({ status: error.status, body: { status: error.status, message: error.message, ...(error.errors ? { errors: error.errors } : {}) } })

/** One page of the generated cases, computed from the cursor alone. */
const casesPage = (cases: number, query: Query, listPath: string) => {
  const request = parsePageRequest(query)
  if (request._tag === "Left") return apiError(request.left)
  const { limit, startingAfter, endingBefore } = request.right
  if (endingBefore !== undefined) return { status: 400, body: { status: 400, message: "endingBefore: not served by the bench target" } }
  const after = startingAfter === undefined ? -1 : indexOf(startingAfter)
  if (startingAfter !== undefined && (after < 0 || after >= cases)) {
    return { status: 400, body: { status: 400, message: `startingAfter: no item with id ${startingAfter} in this list` } }
  }
  const start = after + 1
  const end = Math.min(start + limit, cases)
  const data = Array.from({ length: Math.max(0, end - start) }, (_, k) => generatedCase(start + k))
  const link = (cursor: string, i: number) => `${listPath}?limit=${limit}&${cursor}=${caseId(i)}`
  return {
    status: 200,
    body: {
      status: 200, total: cases, count: data.length,
      nextUrl: data.length > 0 && end < cases ? link("startingAfter", end - 1) : null,
      previousUrl: data.length > 0 && start > 0 ? link("endingBefore", start) : null,
      data
    }
  }
}

/** A page of a seed list, paged by the sandbox's own rules. */
const seedPage = <A extends { readonly id: string }>(items: ReadonlyArray<A>, kind: "person" | "caseType", query: Query, listPath: string) => {
  const request = parsePageRequest(query)
  if (request._tag === "Left") return apiError(request.left)
  const page = paginate(items, (item) => item.id, request.right, listPath)
  if (page._tag === "Left") return apiError(page.left)
  return { status: 200, body: { status: 200, ...page.right, data: page.right.data.map((item) => toWire("lean", kind, item)) } }
}

/** Starts the target on a free port of 127.0.0.1. */
export const startBigTarget = (cases: number): Promise<BigTarget> => {
  const counts = { cases: 0, people: 0, caseTypes: 0, other: 0 }
  let firstCaseList: number | undefined
  let lastCaseList: number | undefined
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim()
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    }
    const route = req.method === "GET" ? url.pathname : ""
    if (route === "/api/cases") {
      counts.cases++
      firstCaseList ??= performance.now()
      res.once("finish", () => (lastCaseList = performance.now()))
    } else if (route === "/api/people") counts.people++
    else if (route === "/api/case-types") counts.caseTypes++
    else counts.other++
    if (bearer !== defaultCredentials.token && req.headers["x-api-key"] !== defaultCredentials.apiKey) {
      return answer(401, { status: 401, message: "Missing or invalid credentials" })
    }
    const query = queryOf(url)
    const page = route === "/api/cases"
      ? casesPage(cases, query, route)
      : route === "/api/people"
      ? seedPage(people, "person", query, route)
      : route === "/api/case-types"
      ? seedPage(caseTypes, "caseType", query, route)
      : { status: 404, body: { status: 404, message: `${req.method} ${url.pathname} is not served by the bench target` } }
    answer(page.status, page.body)
  })
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}/api`,
        stats: () => ({
          caseListRequests: counts.cases,
          peopleRequests: counts.people,
          caseTypeRequests: counts.caseTypes,
          otherRequests: counts.other,
          listingSeconds: firstCaseList === undefined || lastCaseList === undefined ? 0 : Math.round(lastCaseList - firstCaseList) / 1000
        }),
        close: () => new Promise<void>((done) => {
          server.close(() => done())
          server.closeAllConnections()
        })
      })
    })
  )
}
