import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../../src/sandbox/SandboxStats.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { spawnCli } from "../apply/e2e/CliProcess.js"
import { requestsBetween, writeRequests } from "../apply/e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "../apply/e2e/Workspace.js"

// What an operator gets wrong — a path, a file passed to the wrong option — and what the CLI
// must do then: exit 2 with one line saying what is wrong, and change nothing anywhere.

const noRequests: RequestStats = { total: 0, byEndpoint: {}, byStatus: {}, committedThenDropped: 0 }

/** The lines of stderr, without the blank end. */
const lines = (stderr: string) => stderr.trimEnd().split("\n")

describe("casesync, given inputs that do not fit", () => {
  it.scopedLive("validate checks everything and writes nothing: no state file, no output folder", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("validate")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      const result = yield* runCli(["validate", "--config", config])
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stdout).toContain("OK")
      expect(fs.readdirSync(dir).filter((name) => name.startsWith("state.db"))).toEqual([])
      expect(fs.existsSync(path.join(dir, "out"))).toBe(false)
    }), { timeout: 60_000 })

  it.scopedLive("a missing source file, mapping or config: exit 2 and one line naming it, without internals", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("missing")
      const noSource = writeCsvConfig({ dir, csv: path.join(dir, "gone.csv"), targetUrl: sandbox.url, configName: "no-source.yaml" })
      const noMapping = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url, configName: "no-mapping.yaml", mapping: path.join(dir, "gone.yaml") })
      const noConfig = path.join(dir, "gone.casesync.yaml")
      const runs = yield* Effect.all([
        spawnCli(["plan", "--config", noSource]),
        spawnCli(["validate", "--config", noMapping]),
        spawnCli(["migrate", "--config", noConfig])
      ], { concurrency: 3 })
      for (const [run, missing] of [[runs[0], "gone.csv"], [runs[1], "gone.yaml"], [runs[2], "gone.casesync.yaml"]] as const) {
        expect(run.exitCode, run.stderr).toBe(2)
        expect(lines(run.stderr), run.stderr).toHaveLength(1)
        expect(run.stderr).toContain(path.join(dir, missing))
        expect(run.stderr).toMatch(/no such file/)
        expect(run.stderr).not.toMatch(/FileSystem|ENOENT|:1:1|To resume/)
      }
      expect(fs.existsSync(path.join(dir, "out"))).toBe(false)
    }), { timeout: 120_000 })

  it.scopedLive("a source that is a folder, an empty file or a header naming a column twice: exit 2 and one line, no resume hint", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("bad-source")
      const folder = path.join(dir, "a-folder.csv")
      fs.mkdirSync(folder)
      const empty = path.join(dir, "empty.csv")
      fs.writeFileSync(empty, "")
      const twice = path.join(dir, "twice.csv")
      fs.writeFileSync(twice, "case_id,case_id,status\nLC-1,LC-1,OPEN\n")
      const cases = [[folder, /directory, not a file/], [empty, /header/], [twice, /duplicate column names/]] as const
      for (const [csv, says] of cases) {
        const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url, configName: `${path.basename(csv)}.casesync.yaml` })
        const run = yield* spawnCli(["plan", "--config", config])
        expect(run.exitCode, run.stderr).toBe(2)
        expect(lines(run.stderr), run.stderr).toHaveLength(1)
        expect(run.stderr).toContain(csv)
        expect(run.stderr).toMatch(says)
        expect(run.stderr).not.toMatch(/To resume/)
      }
    }), { timeout: 120_000 })

  it.scopedLive("a plan that fails writes nothing to resume: no resume hint; a migrate that fails says how to resume", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: { faultRate: 1 } })
      const dir = yield* makeTempDir("failed-plan")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      const plan = yield* spawnCli(["plan", "--config", config])
      expect(plan.exitCode, plan.stderr).toBe(1)
      expect(plan.stderr).not.toMatch(/To resume/)
      const migrate = yield* spawnCli(["migrate", "--config", config])
      expect(migrate.exitCode, migrate.stderr).toBe(1)
      expect(migrate.stderr).toMatch(/To resume/)
    }), { timeout: 120_000 })

  it.scopedLive("a count of 0 or less (preview --limit, status --runs): exit 2 naming the option, not an empty answer", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("counts")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      for (const [command, option, value] of [["preview", "--limit", "-1"], ["preview", "--limit", "0"], ["status", "--runs", "0"]] as const) {
        const run = yield* runCli([command, option, value, "--config", config])
        expect(run.exitCode, `${command} ${option} ${value}: ${run.stderr}`).toBe(2)
        expect(run.stderr + run.stdout).toContain(`${option} ${value}: give a count of 1 or more`)
      }
    }), { timeout: 120_000 })

  it.scopedLive("--only-rejects with a file that is not a rejects file of this source: exit 2, no plan, no write", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("only-rejects")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const header = "location,source_key,external_id,field,reason,raw\n"
      const wrong = {
        // The results file sits beside the rejects file and is the easy mistake.
        columns: ["source_key,external_id,location,borrower,case_id,action,outcome,detail\n", "no column field, reason, raw"],
        source: [`${header}/elsewhere/other.csv:12,LC-1,legacy-LC-1,status,unknown code,x\n`, "not of this job's source"],
        lines: [`${header}${csv}:99999,LC-1,legacy-LC-1,status,unknown code,x\n`, `no row of ${csv} starts at ${csv}:99999`]
      } as const
      for (const [name, [text, message]] of Object.entries(wrong)) {
        const file = path.join(dir, `${name}.csv`)
        fs.writeFileSync(file, text)
        for (const command of ["plan", "migrate"]) {
          const run = yield* runCli([command, "--config", config, "--only-rejects", file])
          expect(run.exitCode, `${command} ${name}: ${run.stderr}`).toBe(2)
          expect(run.stderr).toContain(`--only-rejects ${file}: `)
          expect(run.stderr).toContain(message)
        }
      }
      expect(fs.existsSync(path.join(dir, "out", "plan.json"))).toBe(false)
      expect(writeRequests(requestsBetween(noRequests, yield* sandbox.stats.snapshot))).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("a row over maxRecordSize is one reject, and the accounting still counts every row of the file", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("oversized")
      // Line 2 is the first record (LC-100001): its subject grows past the default 1,000,000 characters.
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {
        2: (line) => line.replace(",Autopay enrollment,", `,Autopay enrollment ${"x".repeat(1_000_001)},`)
      })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const run = yield* runCli(["plan", "--config", config, "--json"])
      expect(run.exitCode, run.stderr).toBe(3)
      const counts = JSON.parse(run.stdout).plan.counts
      expect(counts).toEqual({ read: 230, create: 216, update: 0, unchanged: 0, reject: 14, conflict: 0, skipped: 0 })
      const report = fs.readFileSync(path.join(dir, "out", "report.md"), "utf-8")
      expect(report).toMatch(new RegExp(`legacy-cases\\.csv:2\\b.*maxRecordSize`))
    }), { timeout: 120_000 })
})
