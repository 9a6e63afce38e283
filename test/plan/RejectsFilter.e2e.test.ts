import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { finalAccounting, readCsvRows } from "../apply/e2e/RunOutputs.js"
import { casesByExternalId, requestsBetween, viewTarget, writeRequests } from "../apply/e2e/TargetCheck.js"
import { makeTempDir, writeCsvConfig } from "../apply/e2e/Workspace.js"

// `--only-rejects rejects.csv` after the legacy team fixed its rows: the records it plans must be
// the ones the rejects file names, and every row a reject stood for, whatever was edited since.

const header = "case_id,borrower_ref,case_type,status,outcome,priority,channel,agent_code,subject,notes,created_at,updated_at,trustee_name,dispute_channel,branch_code,legacy_checksum"
/** One single-line row of the shipped export's shape; `status` BOGUS is an unknown code (a reject). */
const row = (key: string, options: { status?: string; subject?: string; notes?: string } = {}) =>
  `${key},BRW-1055,GEN,${options.status ?? "OPEN"},,P2,web,AG-004,${options.subject ?? `Subject ${key}`},${options.notes ?? ""},2022-02-03 04:32:18,2022-03-15 04:18:18,,,NJ-01,x`
const writeRows = (file: string, rows: ReadonlyArray<string>) => fs.writeFileSync(file, [header, ...rows].join("\n") + "\n")

describe("--only-rejects after the source was edited", () => {
  it.scopedLive("rows moved to other lines since the rejects were written: exit 2 naming the line and both keys, nothing planned", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("rejects-moved")
      const csv = path.join(dir, "cases.csv")
      const keys = Array.from({ length: 10 }, (_, i) => `SH-${i}`)
      writeRows(csv, keys.map((key, i) => row(key, { status: i === 2 || i === 6 ? "BOGUS" : "OPEN" })))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const first = yield* runCli(["migrate", "--config", config])
      expect(finalAccounting(first.stdout)).toMatchObject({ read: 10, create: 8, reject: 2 })
      const rejectsFile = path.join(dir, "rejects-of-first-run.csv")
      fs.copyFileSync(path.join(dir, "out", "rejects.csv"), rejectsFile)

      // A row above the rejects is deleted: SH-3 and SH-7 now stand on the lines SH-2 and SH-6 stood on.
      writeRows(csv, keys.filter((key) => key !== "SH-0").map((key, i) => row(key, { status: i === 1 || i === 5 ? "BOGUS" : "OPEN" })))
      const before = yield* sandbox.stats.snapshot
      const again = yield* runCli(["migrate", "--config", config, "--only-rejects", rejectsFile])
      expect(again.exitCode, again.stderr).toBe(2)
      expect(again.stderr).toContain(`--only-rejects ${rejectsFile}: `)
      expect(again.stderr).toMatch(new RegExp(`${csv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4 .*SH-3.*SH-2`))
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
      expect(fs.readFileSync(path.join(dir, "out", "rejects.csv"), "utf8")).toContain("SH-2")
    }), { timeout: 120_000 })

  it.scopedLive("a fixed row kept in is checked against the whole file: a later duplicate of its key stays rejected, never written over the first", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("rejects-duplicate")
      const csv = path.join(dir, "cases.csv")
      // Line 5 holds DX-3; line 9 repeats its key with other contents.
      writeRows(csv, [...Array.from({ length: 7 }, (_, i) => row(`DX-${i}`)), row("DX-3", { subject: "Subject DX-3 second" })])
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const first = yield* runCli(["migrate", "--config", config])
      expect(finalAccounting(first.stdout)).toMatchObject({ read: 8, create: 7, reject: 1 })

      const again = yield* runCli(["migrate", "--config", config, "--only-rejects", path.join(dir, "out", "rejects.csv")])
      expect(again.exitCode, again.stderr).toBe(3)
      expect(finalAccounting(again.stdout)).toMatchObject({ read: 8, create: 0, update: 0, reject: 1, skipped: 7 })
      const dx3 = casesByExternalId(yield* viewTarget(sandbox)).get("legacy-DX-3") ?? []
      expect(dx3.map((c) => c.name)).toEqual(["Subject DX-3"])
      expect(readCsvRows(path.join(dir, "out", "rejects.csv")).map((r) => r["location"])).toEqual([`${csv}:9`])
    }), { timeout: 120_000 })

  it.scopedLive("an unclosed quote swallowed the rows after it: once fixed, every row the reject stood for is planned", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("rejects-swallowed")
      const csv = path.join(dir, "cases.csv")
      const keys = Array.from({ length: 8 }, (_, i) => `UQ-${i}`)
      writeRows(csv, keys.map((key, i) => row(key, i === 2 ? { notes: "\"note never closed" } : {})))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const first = yield* runCli(["migrate", "--config", config])
      const firstCounts = finalAccounting(first.stdout)
      expect(firstCounts).toMatchObject({ create: 2, reject: 1 })

      writeRows(csv, keys.map((key) => row(key)))
      const again = yield* runCli(["migrate", "--config", config, "--only-rejects", path.join(dir, "out", "rejects.csv")])
      expect(again.exitCode, again.stderr).toBe(0)
      expect(finalAccounting(again.stdout)).toMatchObject({ read: 8, create: 6, reject: 0, skipped: 2 })
      const present = casesByExternalId(yield* viewTarget(sandbox))
      expect(keys.filter((key) => (present.get(`legacy-${key}`) ?? []).length !== 1)).toEqual([])
    }), { timeout: 120_000 })
})
