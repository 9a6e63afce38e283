/**
 * Migration throughput against the sandbox with a rate limit: how close one apply
 * gets to the target's limit, and how many requests each written case costs.
 * `npx tsx bench/migrate.ts [cases] [requestsPerSecond]`.
 */
import { NodeContext } from "@effect/platform-node"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { applyMigration } from "../src/apply/ApplyMigration.js"
import { planStep } from "../src/cli/MigrationHandlers.js"
import { runLayer } from "../src/cli/RunContext.js"
import { loadRunConfig } from "../src/config/RunConfig.js"
import { startSandbox } from "../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../src/sandbox/SandboxStats.js"

/** What one migration bench run measured. */
export interface MigrateBenchResult {
  readonly cases: number
  readonly rateLimit: number
  readonly planSeconds: number
  readonly applySeconds: number
  readonly casesPerSecond: number
  /** Cases written per second as a share of the target's request-rate limit. */
  readonly shareOfLimit: number
  readonly writeRequestsPerCase: number
  readonly listRequests: number
  readonly throttled429: number
  readonly secondPassWriteRequests: number
}

const header = "case_id,borrower_ref,case_type,status,outcome,priority,channel,agent_code,subject,notes,created_at,updated_at,trustee_name,dispute_channel,branch_code,legacy_checksum"

const writeCases = (file: string, cases: number) => {
  const lines = [header]
  for (let n = 0; n < cases; n++) {
    const day = String(1 + (n % 28)).padStart(2, "0")
    lines.push(
      `LB-${n},BRW-${1001 + (n % 60)},GEN,OPEN,,P3,phone,AG-00${1 + (n % 5)},Bench case ${n},"note, with a comma",2023-01-${day} 10:00:00,,,,NY-01,x${n}`
    )
  }
  fs.writeFileSync(file, lines.join("\r\n") + "\r\n")
}

const count = (stats: RequestStats, test: (endpoint: string) => boolean) =>
  Object.entries(stats.byEndpoint).filter(([endpoint]) => test(endpoint)).reduce((sum, [, c]) => sum + c.total, 0)

const writes = (endpoint: string) => /^(POST|PUT) /.test(endpoint)
const lists = (endpoint: string) => endpoint === "GET /cases" || endpoint === "GET /people" || endpoint === "GET /case-types"

/** Migrates `cases` generated records into a sandbox limited to `rateLimit` requests per second. */
export const runMigrateBench = (cases: number, rateLimit: number): Promise<MigrateBenchResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-bench-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const sandbox = yield* startSandbox({ port: 0, knobs: { rateLimit } })
    writeCases(path.join(dir, "cases.csv"), cases)
    // The mapping's lookup (../samples/lookups/agents.csv) must lie in its folder or the config's: copy both here.
    fs.mkdirSync(path.join(dir, "mappings"))
    fs.mkdirSync(path.join(dir, "samples/lookups"), { recursive: true })
    fs.copyFileSync(path.resolve("mappings/legacy-csv-to-peach.yaml"), path.join(dir, "mappings/legacy-csv-to-peach.yaml"))
    fs.copyFileSync(path.resolve("samples/lookups/agents.csv"), path.join(dir, "samples/lookups/agents.csv"))
    const configFile = path.join(dir, "bench.yaml")
    fs.writeFileSync(configFile, [
      "job: bench",
      "source: { kind: csv, path: cases.csv }",
      "mapping: mappings/legacy-csv-to-peach.yaml",
      `target: { baseUrl: "${sandbox.url}", token: sandbox-token, requestsPerSecond: ${rateLimit}, concurrency: 16 }`,
      "applyConcurrency: 16"
    ].join("\n"))
    const config = yield* loadRunConfig(configFile)

    const pass = Effect.gen(function*() {
      const started = performance.now()
      const { mapper, outcome } = yield* planStep(config, { out: Option.none(), report: Option.none(), onlyRejects: Option.none() })
      const planned = performance.now()
      const applied = yield* applyMigration(config, mapper, outcome.planFile, { command: "bench" })
      return { applied, planSeconds: (planned - started) / 1000, applySeconds: (performance.now() - planned) / 1000 }
    }).pipe(Effect.provide(runLayer(config)))

    const first = yield* pass
    const afterFirst = yield* sandbox.stats.snapshot
    yield* pass
    const afterSecond = yield* sandbox.stats.snapshot
    const written = first.applied.counts.create + first.applied.counts.update
    const casesPerSecond = written / first.applySeconds
    return {
      cases: written,
      rateLimit,
      planSeconds: Math.round(first.planSeconds * 100) / 100,
      applySeconds: Math.round(first.applySeconds * 100) / 100,
      casesPerSecond: Math.round(casesPerSecond * 10) / 10,
      shareOfLimit: Math.round((casesPerSecond / rateLimit) * 100) / 100,
      writeRequestsPerCase: Math.round((count(afterFirst, writes) / written) * 100) / 100,
      listRequests: count(afterFirst, lists),
      throttled429: afterFirst.byStatus["429"] ?? 0,
      secondPassWriteRequests: count(afterSecond, writes) - count(afterFirst, writes)
    }
  }).pipe(Effect.provide(NodeContext.layer))))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cases = Number(process.argv[2] ?? 2000)
  const rate = Number(process.argv[3] ?? 200)
  runMigrateBench(cases, rate).then((result) => console.log(result))
}
