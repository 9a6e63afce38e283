/**
 * A quiet two-way sync cycle over N linked cases: the sandbox's CRM is seeded in-process with N
 * cases (the valid samples, cloned over the 60 seeded borrowers), `casesync migrate` links them
 * all, a first `sync --once` takes the bases, then the measured `sync --once` (a child process,
 * start-up included) must write nothing. Prints its wall time and the requests each side was
 * sent, as the sandbox counted them and as the cycle printed them.
 * `npx tsx bench/sync.ts [cases=10000]`.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import casesJson from "../samples/khoros/cases.json" with { type: "json" }
import customersJson from "../samples/khoros/customers.json" with { type: "json" }
import { startSandbox } from "../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../src/sandbox/SandboxStats.js"
import { runChild } from "./migrate.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Requests one side was sent. */
export interface SideFigures {
  readonly reads: number
  readonly writes: number
}

/** What the quiet-cycle bench measured. */
export interface SyncBenchResult {
  readonly cases: number
  readonly linked: number
  readonly migrateSeconds: number
  readonly seconds: number
  /** As the sandbox counted them. */
  readonly requests: { readonly crm: SideFigures; readonly target: SideFigures }
  /** As the cycle printed them (its cost line). */
  readonly printed: string
  readonly accounting: string
}

// The two samples the mapping rejects (samples/khoros/README.md) are left out, so every case links.
const rejectedSamples = new Set(["KC-10017", "KC-10030"])

/** N CRM cases cloned from the valid samples, spread over the 60 seeded borrowers (BRW-1001…BRW-1060). */
export const khorosFixture = (cases: number) => {
  const templates = casesJson.filter((kase) => !rejectedSamples.has(kase.id))
  const customers = Array.from({ length: 60 }, (_, i) => ({ ...customersJson[0]!, id: `BRW-${1001 + i}` }))
  const made = Array.from({ length: cases }, (_, n) => {
    const template = templates[n % templates.length]!
    const id = `KB-${100000 + n}`
    return { ...template, id, number: String(100000 + n), customerId: `BRW-${1001 + (n % 60)}`, url: `https://crm.example.test/cases/${id}` }
  })
  return { customers, cases: made }
}

const side = (before: RequestStats, after: RequestStats, crm: boolean): SideFigures => {
  let reads = 0
  let writes = 0
  for (const [endpoint, stats] of Object.entries(after.byEndpoint)) {
    if (endpoint.includes(" /crm/") !== crm) continue
    const n = stats.total - (before.byEndpoint[endpoint]?.total ?? 0)
    if (endpoint.startsWith("GET ")) reads += n
    else writes += n
  }
  return { reads, writes }
}

/** Seeds, migrates and syncs once, then times one quiet `sync --once` of `cases` linked cases. */
export const runSyncBench = (cases: number): Promise<SyncBenchResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-syncbench-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const sandbox = yield* startSandbox({ port: 0, fixtures: { khoros: khorosFixture(cases) } })
    const config = path.join(dir, "sync.yaml")
    fs.writeFileSync(config, [
      "job: syncbench",
      `source: { kind: khoros, baseUrl: "${sandbox.crmUrl}", apiKey: sandbox-key, customers: borrowers, customerConcurrency: 8 }`,
      `mapping: ${JSON.stringify(path.join(root, "mappings/khoros-to-peach.yaml"))}`,
      `target: { baseUrl: "${sandbox.url}", token: sandbox-token, concurrency: 16 }`,
      `state: ${JSON.stringify(path.join(dir, "state.db"))}`,
      `output: ${JSON.stringify(path.join(dir, "out"))}`,
      "applyConcurrency: 16"
    ].join("\n"))
    const run = (args: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const result = yield* Effect.promise(() => runChild(["bin/casesync.js", ...args, "--config", config]))
        if (result.code !== 0) return yield* Effect.die(new Error(`${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`))
        return result
      })
    const migrated = yield* run(["migrate"])
    const linked = Number(/created (\d+)/.exec(migrated.stdout.split("\n").filter((l) => /read \d+ = /.test(l)).pop() ?? "")?.[1] ?? 0)
    yield* run(["sync", "--once"]) // takes the bases; the cycle after it is the steady state measured here
    const before = yield* sandbox.stats.snapshot
    const quiet = yield* run(["sync", "--once"])
    const after = yield* sandbox.stats.snapshot
    const line = (pattern: RegExp) => quiet.stdout.split("\n").find((l) => pattern.test(l))?.trim() ?? ""
    return {
      cases,
      linked,
      migrateSeconds: migrated.seconds,
      seconds: quiet.seconds,
      requests: { crm: side(before, after, true), target: side(before, after, false) },
      printed: line(/^\s*requests crm/),
      accounting: line(/^\s*read crm/)
    }
  })))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSyncBench(Number(process.argv[2] ?? 10000)).then((result) => console.log(JSON.stringify(result, null, 2)))
}
