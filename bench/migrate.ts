/**
 * End-to-end migration against the sandbox at a request-rate limit R with latency: `casesync
 * migrate` as a child process (start-up included, both passes, every request counted, list reads
 * too), then the same migration by a naive script (look up ext-<id>, then create, one at a time)
 * into the same sandbox reset to its seed, and the ratio.
 * `npx tsx bench/migrate.ts [cases] [requestsPerSecond] [latencyMs]`.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { startSandbox } from "../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../src/sandbox/SandboxStats.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** One pass of a child process: wall time from spawn to exit, and the requests the sandbox saw. */
export interface PassFigures {
  readonly seconds: number
  readonly requests: number
  readonly writeRequests: number
  readonly listRequests: number
  /** The list reads by what they list: the case pages, the borrower pages and the case-type pages. */
  readonly listed: { readonly cases: number; readonly people: number; readonly caseTypes: number }
  readonly throttled429: number
  /** The child's own CPU time (user + sys, bench/rusage.cjs at its exit): what it cost beside the server. */
  readonly cpuSeconds: number
}

/** What one migration bench run measured. */
export interface MigrateBenchResult {
  readonly cases: number
  readonly rateLimit: number
  readonly latencyMs: number
  readonly first: PassFigures & { readonly created: number }
  readonly rerun: PassFigures & { readonly unchanged: number }
  readonly naive: PassFigures & { readonly created: number }
}

const csvHeader = "case_id,borrower_ref,case_type,status,outcome,priority,channel,agent_code,subject,notes,created_at,updated_at,trustee_name,dispute_channel,branch_code,legacy_checksum"

/** The fields of generated row `n` that vary (bench/bigTarget.ts builds the target case a row maps to from them). */
export const legacyRow = (n: number) => ({
  caseId: `LB-${n}`,
  borrowerRef: `BRW-${1001 + (n % 60)}`,
  agentCode: `AG-00${1 + (n % 5)}`,
  subject: `Bench case ${n}`,
  notes: "note, with a comma",
  day: String(1 + (n % 28)).padStart(2, "0"),
  branch: "NY-01"
})

/** Writes `cases` rows shaped like samples/csv/legacy-cases.csv (60 seeded borrowers, the shipped mapping), streamed. */
export const writeLegacyCsv = async (file: string, cases: number): Promise<void> => {
  const out = fs.createWriteStream(file)
  out.write(csvHeader + "\r\n")
  for (let n = 0; n < cases; n++) {
    const row = legacyRow(n)
    const line = `${row.caseId},${row.borrowerRef},GEN,OPEN,,P3,phone,${row.agentCode},${row.subject},"${row.notes}",2023-01-${row.day} 10:00:00,,,,${row.branch},x${n}\r\n`
    if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()))
  }
  await new Promise<void>((resolve) => out.end(() => resolve()))
}

/** A job folder: the CSV, the shipped mapping with its lookup beside it, and a config aimed at `targetUrl`. */
export const writeJob = async (dir: string, cases: number, targetUrl: string, rateLimit: number | undefined): Promise<string> => {
  await writeLegacyCsv(path.join(dir, "cases.csv"), cases)
  // The mapping's lookup (../samples/lookups/agents.csv) must lie in its folder or the config's: copy both here.
  fs.mkdirSync(path.join(dir, "mappings"), { recursive: true })
  fs.mkdirSync(path.join(dir, "samples/lookups"), { recursive: true })
  fs.copyFileSync(path.join(root, "mappings/legacy-csv-to-peach.yaml"), path.join(dir, "mappings/legacy-csv-to-peach.yaml"))
  fs.copyFileSync(path.join(root, "samples/lookups/agents.csv"), path.join(dir, "samples/lookups/agents.csv"))
  const configFile = path.join(dir, "bench.yaml")
  fs.writeFileSync(configFile, [
    "job: bench",
    "source: { kind: csv, path: cases.csv }",
    "mapping: mappings/legacy-csv-to-peach.yaml",
    `target: { baseUrl: "${targetUrl}", token: sandbox-token${rateLimit === undefined ? "" : `, requestsPerSecond: ${rateLimit}`}, concurrency: 16 }`,
    "applyConcurrency: 16"
  ].join("\n"))
  return configFile
}

/** Runs a child process to its end (asynchronously: the sandbox in this process keeps serving). */
export const runChild = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly seconds: number }>((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }))
  })


/** What bench/rusage.cjs wrote at a child's exit: its CPU time (user + sys) and peak RSS. */
export interface ChildUsage {
  readonly cpuSeconds: number
  readonly maxRssKb: number
}

/** `runChild` under bench/rusage.cjs, with the child's own CPU and peak RSS read from `usageFile` after it exits. */
export const runMeasuredChild = async (args: ReadonlyArray<string>, usageFile: string) => {
  const run = await runChild(["--require", "./bench/rusage.cjs", ...args], { CASESYNC_RUSAGE_FILE: usageFile })
  if (!fs.existsSync(usageFile)) return { ...run, usage: undefined }
  const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as { userMicros: number; systemMicros: number; maxRssKb: number }
  fs.rmSync(usageFile)
  return { ...run, usage: { cpuSeconds: (usage.userMicros + usage.systemMicros) / 1e6, maxRssKb: usage.maxRssKb } satisfies ChildUsage }
}
const sum = (stats: RequestStats, test: (endpoint: string) => boolean) =>
  Object.entries(stats.byEndpoint).filter(([endpoint]) => test(endpoint)).reduce((total, [, c]) => total + c.total, 0)
const isWrite = (endpoint: string) => /^(POST|PUT|PATCH|DELETE) /.test(endpoint)
const isList = (endpoint: string) => /^GET \/(cases|people|case-types)$/.test(endpoint) || endpoint === "GET /people/:personId/cases"

const figures = (before: RequestStats, after: RequestStats, seconds: number, cpuSeconds: number): PassFigures => {
  const during = (test: (endpoint: string) => boolean) => sum(after, test) - sum(before, test)
  return {
    seconds,
    requests: after.total - before.total,
    writeRequests: during(isWrite),
    listRequests: during(isList),
    listed: {
      cases: during((e) => e === "GET /cases"),
      people: during((e) => e === "GET /people"),
      caseTypes: during((e) => e === "GET /case-types")
    },
    throttled429: (after.byStatus["429"] ?? 0) - (before.byStatus["429"] ?? 0),
    cpuSeconds
  }
}

/** The `read = created + …` line of a finished apply, as numbers. */
const accounting = (stdout: string): Record<string, number> => {
  const lines = stdout.split("\n").filter((line) => /read \d+ = /.test(line))
  const last = lines[lines.length - 1] ?? ""
  return Object.fromEntries([...last.matchAll(/(\w+) (\d+)/g)].map(([, name, n]) => [name!, Number(n)]))
}

/** Migrates `cases` generated records with casesync (twice) and with the naive script, into a sandbox limited to `rateLimit`. */
export const runMigrateBench = (cases: number, rateLimit: number, latencyMs: number): Promise<MigrateBenchResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-bench-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const sandbox = yield* startSandbox({ port: 0, knobs: { rateLimit, latencyMs } })
    const configFile = yield* Effect.promise(() => writeJob(dir, cases, sandbox.url, rateLimit))

    const pass = (args: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const before = yield* sandbox.stats.snapshot
        const run = yield* Effect.promise(() => runMeasuredChild(args, path.join(dir, "rusage.json")))
        if ((run.code !== 0 && run.code !== 3) || run.usage === undefined) {
          return yield* Effect.die(new Error(`${args.join(" ")} exited ${run.code}:\n${run.stderr}`))
        }
        return { run, figures: figures(before, yield* sandbox.stats.snapshot, run.seconds, run.usage.cpuSeconds) }
      })
    const migrate = ["bin/casesync.js", "migrate", "--config", configFile]
    const first = yield* pass(migrate)
    const rerun = yield* pass(migrate)
    yield* sandbox.reset
    const naive = yield* pass(["bench/naive.mjs", sandbox.url, path.join(dir, "cases.csv"), "sandbox-token"])
    return {
      cases,
      rateLimit,
      latencyMs,
      first: { ...first.figures, created: accounting(first.run.stdout)["created"] ?? 0 },
      rerun: { ...rerun.figures, unchanged: accounting(rerun.run.stdout)["unchanged"] ?? 0 },
      naive: { ...naive.figures, created: (JSON.parse(naive.run.stdout) as { created: number }).created }
    }
  })))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMigrateBench(Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 100), Number(process.argv[4] ?? 20)).then((result) =>
    console.log(JSON.stringify(result, null, 2))
  )
}
