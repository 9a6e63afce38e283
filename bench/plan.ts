/**
 * Plan throughput and memory: `plan` of a generated CSV shaped like
 * `samples/csv/legacy-cases.csv` against an empty sandbox, in a child process so its CPU
 * time (user+sys) and peak RSS are the planner's alone (the sandbox runs in the parent).
 * `npx tsx bench/plan.ts [rows...]`, e.g. `npx tsx bench/plan.ts 100000 1000000`.
 */
import { NodeContext } from "@effect/platform-node"
import { Effect, Option } from "effect"
import { once } from "node:events"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

/** What one plan run measured (CPU time, not wall time: the machine may be shared). */
export interface PlanBenchResult {
  readonly rows: number
  readonly cpuSeconds: number
  readonly recordsPerCpuSecond: number
  readonly wallSeconds: number
  readonly peakRssMegabytes: number
  readonly planMegabytes: number
  readonly reportMegabytes: number
}

const header =
  "case_id,borrower_ref,case_type,status,outcome,priority,channel,agent_code,subject,notes,created_at,updated_at,trustee_name,dispute_channel,branch_code,legacy_checksum"
const types = ["GEN", "GEN", "GEN", "BK", "DISP"]
const statuses = ["OPEN", "IN_PROGRESS", "CLOSED", "CANCELLED ", "REOPENED"]

const row = (n: number): string => {
  const type = types[n % types.length]!
  const day = String(1 + (n % 28)).padStart(2, "0")
  const month = String(1 + (n % 12)).padStart(2, "0")
  return [
    `LB-${n}`,
    `BRW-${1001 + (n % 60)}`,
    type,
    statuses[n % statuses.length],
    n % 3 === 0 ? "NONE" : "",
    `P${1 + (n % 4)}`,
    type === "GEN" ? "phone" : "",
    `AG-00${1 + (n % 5)}`,
    `Bench case ${n}`,
    n % 7 === 0 ? `"note, with a comma, ""quoted"""` : "",
    `2023-${month}-${day} 10:00:00`,
    `2023-${month}-${day} 11:30:00`,
    type === "BK" ? `Trustee ${n % 97}` : "",
    type === "DISP" ? "MAIL" : "",
    "NY-01",
    `x${n}`
  ].join(",")
}

/** Writes `rows` generated legacy-shaped rows to `file`, streamed with backpressure. */
export const writeLegacyCsv = async (file: string, rows: number): Promise<void> => {
  const out = fs.createWriteStream(file)
  out.write(header + "\r\n")
  for (let n = 0; n < rows; n++) if (!out.write(row(n) + "\r\n")) await once(out, "drain")
  out.end()
  await once(out, "finish")
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** In the child: plans the config once and prints the figures as JSON. */
const child = async (configFile: string, rows: number) => {
  const { planStep } = await import("../src/cli/MigrationHandlers.js")
  const { runLayer } = await import("../src/cli/RunContext.js")
  const { loadRunConfig } = await import("../src/config/RunConfig.js")
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const outcome = await Effect.runPromise(Effect.gen(function*() {
    const config = yield* loadRunConfig(configFile)
    const { outcome } = yield* planStep(config, { out: Option.none(), report: Option.none(), onlyRejects: Option.none() }).pipe(
      Effect.provide(runLayer(config))
    )
    return outcome
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
  const used = process.cpuUsage(cpu)
  const wall = (performance.now() - started) / 1000
  clearInterval(sampler)
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  const cpuSeconds = (used.user + used.system) / 1e6
  const result: PlanBenchResult = {
    rows,
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    recordsPerCpuSecond: Math.round(outcome.counts.read / cpuSeconds),
    wallSeconds: Math.round(wall * 100) / 100,
    peakRssMegabytes: mib(peakRss),
    planMegabytes: mib(fs.statSync(outcome.planFile).size),
    reportMegabytes: mib(fs.statSync(outcome.reportFile).size)
  }
  process.stdout.write(JSON.stringify(result) + "\n")
}

/**
 * Plans `rows` generated records against an empty in-process sandbox, the plan itself in a
 * child process (`node --import tsx`), and returns its CPU time, rate and peak RSS.
 */
export const runPlanBench = async (rows: number): Promise<PlanBenchResult> => {
  const { startSandbox } = await import("../src/sandbox/SandboxServer.js")
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-bench-"))
  try {
    await writeLegacyCsv(path.join(dir, "cases.csv"), rows)
    return await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const sandbox = yield* startSandbox({ port: 0 })
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
        `target: { baseUrl: "${sandbox.url}", token: sandbox-token, requestsPerSecond: 1000 }`,
        "state: state.db",
        "output: out"
      ].join("\n"))
      const output = yield* Effect.promise(() =>
        new Promise<string>((resolve, reject) => {
          // Asynchronous, so the in-process sandbox keeps answering the child.
          import("node:child_process").then(({ execFile }) =>
            execFile(process.execPath, ["--import", "tsx", ...(process.env.PLAN_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []), fileURLPath(), "--child", configFile, String(rows)], {
              maxBuffer: 1 << 24
            }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)))
          )
        })
      )
      return JSON.parse(output.trim().split("\n").at(-1)!) as PlanBenchResult
    }).pipe(Effect.provide(NodeContext.layer))))
  } finally {
    // PLAN_BENCH_KEEP=1 keeps the generated files (plan, report) to look at.
    if (process.env.PLAN_BENCH_KEEP) console.error(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}

const fileURLPath = () => new URL(import.meta.url).pathname

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "--child") {
    await child(process.argv[3]!, Number(process.argv[4]))
  } else {
    const sizes = process.argv.slice(2).map(Number)
    const results: Array<PlanBenchResult> = []
    for (const rows of sizes.length === 0 ? [100_000] : sizes) {
      const result = await runPlanBench(rows)
      results.push(result)
      console.log(JSON.stringify(result))
    }
    if (results.length > 1) {
      const growth = results.at(-1)!.peakRssMegabytes / results[0]!.peakRssMegabytes - 1
      console.log(`peak RSS growth ${results[0]!.rows} → ${results.at(-1)!.rows} rows: ${Math.round(growth * 100)}%`)
    }
  }
}
