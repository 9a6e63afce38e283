import { Effect, HashMap, Option } from "effect"
import type { Case } from "../../../src/domain/peach/Case.js"
import type { Sandbox } from "../../../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../../../src/sandbox/SandboxStats.js"
import type { ExpectedCase } from "./Expected.js"

/** The target as a test reads it straight from the sandbox: every case, and borrower ids → externalIds. */
export interface TargetView {
  readonly cases: ReadonlyArray<Case>
  readonly borrowerExternalId: ReadonlyMap<string, string>
}

/** Reads the sandbox's state directly (not through casesync's client, so a client bug cannot hide). */
export const viewTarget = (sandbox: Sandbox): Effect.Effect<TargetView> =>
  Effect.map(sandbox.state.snapshot, (store) => ({
    cases: Array.from(store.caseOrder, (id) =>
      Option.getOrThrowWith(HashMap.get(store.cases, id), () => new Error(`case ${id} is in the order but not in the store`))),
    borrowerExternalId: new Map(store.people.flatMap((p) => (p.externalId == null ? [] : [[p.id, p.externalId] as const])))
  }))

/** Cases by externalId; a list so a duplicate shows as two. */
export const casesByExternalId = (view: TargetView): ReadonlyMap<string, ReadonlyArray<Case>> => {
  const map = new Map<string, Array<Case>>()
  for (const kase of view.cases) {
    if (kase.externalId === null || kase.externalId === undefined) continue
    map.set(kase.externalId, [...(map.get(kase.externalId) ?? []), kase])
  }
  return map
}

// The mapping truncates names to 120 characters with "…" as the last one.
const nameMatches = (held: string | undefined, source: string): boolean =>
  held !== undefined && (held === source || (source.length > 120 && held.length === 120 && held.endsWith("…") && source.startsWith(held.slice(0, -1))))

/** What is wrong with one case the target holds for an expected one (empty when it is right). */
export const fieldProblems = (view: TargetView, kase: Case, expected: ExpectedCase): Array<string> => {
  const problems: Array<string> = []
  const where = `${expected.externalId} (case ${kase.id})`
  const borrowers = kase.borrowerIds.map((id) => view.borrowerExternalId.get(id) ?? id)
  if (!borrowers.includes(expected.borrower)) problems.push(`${where}: borrowers ${borrowers.join(",")}, expected ${expected.borrower}`)
  if (kase.caseTypeMeta?.name !== expected.caseType) {
    problems.push(`${where}: case type ${kase.caseTypeMeta?.name}, expected ${expected.caseType}`)
  }
  if (!nameMatches(kase.name, expected.name)) problems.push(`${where}: name ${JSON.stringify(kase.name)}, expected ${JSON.stringify(expected.name)}`)
  if (kase.status !== expected.status) problems.push(`${where}: status ${kase.status}, expected ${expected.status}`)
  const opened = kase.openedAt == null ? NaN : Date.parse(kase.openedAt)
  if (!(opened === Date.parse(expected.openedAt))) {
    problems.push(`${where}: openedAt ${kase.openedAt}, expected the instant ${expected.openedAt}`)
  }
  return problems
}

/**
 * Everything wrong with the target after a migration: an expected case missing, held more
 * than once, or with a wrong field; or a case under the job's externalId prefix that should
 * not exist (a reject that was written anyway). Empty when the target is exactly right.
 */
export const targetProblems = (
  view: TargetView,
  expected: ReadonlyArray<ExpectedCase>,
  options: {
    /** externalIds starting with this belong to the migration (e.g. `legacy-`). */
    readonly prefix: string
    /** Cases whose fields the test changed on purpose: checked for presence only. */
    readonly skipFieldsOf?: ReadonlySet<string>
  }
): Array<string> => {
  const byExternalId = casesByExternalId(view)
  const problems: Array<string> = []
  for (const want of expected) {
    const held = byExternalId.get(want.externalId) ?? []
    if (held.length === 0) problems.push(`${want.externalId}: missing`)
    else if (held.length > 1) problems.push(`${want.externalId}: held ${held.length} times (${held.map((c) => c.id).join(", ")})`)
    else if (!options.skipFieldsOf?.has(want.externalId)) problems.push(...fieldProblems(view, held[0]!, want))
  }
  const wanted = new Set(expected.map((c) => c.externalId))
  for (const [externalId, held] of byExternalId) {
    if (externalId.startsWith(options.prefix) && !wanted.has(externalId)) {
      problems.push(`${externalId}: not expected in the target, held ${held.length} time(s)`)
    }
  }
  return problems
}

/** How many of these externalIds the target holds at least once. */
export const countPresent = (view: TargetView, externalIds: ReadonlyArray<string>): number => {
  const present = casesByExternalId(view)
  return externalIds.filter((id) => present.has(id)).length
}

// == request counts

/** Requests per endpoint (`POST /people/:personId/cases`, …) that happened between two stats snapshots. */
export const requestsBetween = (before: RequestStats, after: RequestStats): Record<string, number> => {
  const made: Record<string, number> = {}
  for (const [endpoint, stats] of Object.entries(after.byEndpoint)) {
    const n = stats.total - (before.byEndpoint[endpoint]?.total ?? 0)
    if (n > 0) made[endpoint] = n
  }
  return made
}

/** The requests among these that may change something (anything but GET). */
export const writeRequests = (made: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(made).filter(([endpoint]) => !endpoint.startsWith("GET ")))
