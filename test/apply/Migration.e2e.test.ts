import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as childProcess from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../../src/sandbox/SandboxStats.js"
import { StateStore } from "../../src/state/StateStore.js"
import { runCli } from "./e2e/CliInProcess.js"
import { spawnCli } from "./e2e/CliProcess.js"
import { csvLinesOfFirstRecords, type ExpectedCase, type ExpectedMigration, expectedCsv, expectedKhoros } from "./e2e/Expected.js"
import { accountingLines, balances, finalAccounting, readCsvRows } from "./e2e/RunOutputs.js"
import { casesByExternalId, requestsBetween, targetProblems, viewTarget, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig, writeKhorosConfig } from "./e2e/Workspace.js"

// The migration job end to end: the real CLI (spawned where its exit code and stderr are the
// point, in-process elsewhere) against the sandbox over HTTP on 127.0.0.1, with its state,
// plan and outputs in a temporary folder. What the target must hold comes from the sample
// files (test/apply/e2e/Expected.ts), never from casesync's own code.

const createCases = "POST /people/:personId/cases"
const noRequests: RequestStats = { total: 0, byEndpoint: {}, byStatus: {}, committedThenDropped: 0 }

/** A write straight to the target, as an agent (or another tool) makes it: plain fetch. */
const send = (method: string) => (sandbox: Sandbox, route: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${sandbox.url}${route}`, {
      method,
      headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: (await response.json()) as { data: { id: string } } }
  })
const put = send("PUT")
const post = send("POST")

const lineOf = (file: string, text: string): number => {
  const index = fs.readFileSync(file, "utf-8").split("\n").findIndex((line) => line.includes(text))
  if (index < 0) throw new Error(`${text} is not in ${file}`)
  return index + 1
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const rejectsMatch = (rejectsFile: string, expected: ExpectedMigration, csv?: string) => {
  const rows = readCsvRows(rejectsFile)
  expect(rows.length).toBe(expected.rejected.length)
  for (const reject of expected.rejected) {
    const found = reject.line !== undefined && csv !== undefined
      ? rows.find((row) => row["location"] === `${csv}:${reject.line}`)
      : rows.find((row) => row["source_key"] === reject.sourceKey)
    expect(found, `${reject.sourceKey} (line ${reject.line}) in ${rejectsFile}`).toBeDefined()
    expect(found!["reason"]).not.toBe("")
  }
}

describe("casesync migrate, end to end against the sandbox", () => {
  it.scopedLive("migrates the CSV sample: 217 created exactly once with their fields, 13 rejected, exit code 3; a rerun writes nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("csv")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      const expected = expectedCsv()
      expect(expected.created.length).toBe(217)
      expect(expected.rejected.length).toBe(13)

      const first = yield* spawnCli(["migrate", "--config", config])
      expect(first.exitCode, first.stderr).toBe(3)
      const [planned, applied] = accountingLines(first.stdout)
      expect(planned).toEqual({ read: 230, create: 217, update: 0, unchanged: 0, reject: 13, conflict: 0, skipped: 0 })
      expect(applied).toEqual({ read: 230, create: 217, update: 0, unchanged: 0, reject: 13, conflict: 0, skipped: 0 })
      expect(balances(applied!)).toBe(true)

      const afterFirst = yield* sandbox.stats.snapshot
      // One POST per created case: nothing was sent twice, nothing rejected was sent.
      expect(afterFirst.byEndpoint[createCases]?.total).toBe(217)
      expect(writeRequests(requestsBetween(noRequests, afterFirst)))
        .toEqual({ [createCases]: 217 })
      const view = yield* viewTarget(sandbox)
      expect(targetProblems(view, expected.created, { prefix: "legacy-" })).toEqual([])
      rejectsMatch(path.join(dir, "out", "rejects.csv"), expected, samples.csv)
      const results = readCsvRows(path.join(dir, "out", "results.csv"))
      expect(results.length).toBe(230)
      expect(results.filter((row) => row["outcome"] === "created").length).toBe(217)

      const second = yield* runCli(["migrate", "--config", config])
      expect(second.exitCode, second.stderr).toBe(3)
      expect(finalAccounting(second.stdout)).toEqual({ read: 230, create: 0, update: 0, unchanged: 217, reject: 13, conflict: 0, skipped: 0 })
      const afterSecond = yield* sandbox.stats.snapshot
      expect(writeRequests(requestsBetween(afterFirst, afterSecond))).toEqual({})
      // The target did not move at all: same cases, same updatedAt.
      expect((yield* viewTarget(sandbox)).cases).toEqual(view.cases)
    }), { timeout: 120_000 })

  it.scopedLive("migrates the Khoros sample: 38 created exactly once, 2 rejected, exit code 3; a rerun writes nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("khoros")
      const config = writeKhorosConfig({ dir, targetUrl: sandbox.url, crmUrl: sandbox.crmUrl })
      const expected = expectedKhoros()
      expect(expected.created.length).toBe(38)
      expect(expected.rejected.map((r) => r.sourceKey).sort()).toEqual(["KC-10017", "KC-10030"])

      const first = yield* runCli(["migrate", "--config", config])
      expect(first.exitCode, first.stderr).toBe(3)
      expect(first.stdout).toContain("CRM customers 60: 11 with cases, 1 without, 48 unknown to the CRM")
      const applied = finalAccounting(first.stdout)
      expect(applied).toEqual({ read: 40, create: 38, update: 0, unchanged: 0, reject: 2, conflict: 0, skipped: 0 })
      expect(balances(applied)).toBe(true)
      const afterFirst = yield* sandbox.stats.snapshot
      expect(afterFirst.byEndpoint[createCases]?.total).toBe(38)
      const view = yield* viewTarget(sandbox)
      expect(targetProblems(view, expected.created, { prefix: "khoros-" })).toEqual([])
      rejectsMatch(path.join(dir, "out", "rejects.csv"), expected)

      const second = yield* runCli(["migrate", "--config", config])
      expect(second.exitCode, second.stderr).toBe(3)
      expect(finalAccounting(second.stdout)).toEqual({ read: 40, create: 0, update: 0, unchanged: 38, reject: 2, conflict: 0, skipped: 0 })
      const afterSecond = yield* sandbox.stats.snapshot
      // Neither the target nor the CRM got a write.
      expect(writeRequests(requestsBetween(afterFirst, afterSecond))).toEqual({})
      expect((yield* viewTarget(sandbox)).cases).toEqual(view.cases)
    }), { timeout: 120_000 })

  it.scopedLive("plan writes nothing and reports field-level changes; apply of that plan makes exactly those changes", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("plan")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      copyCsv(samples.csv, csv, { 2: (line) => line.replace(",Autopay enrollment,", ",Autopay enrollment (changed),") })

      const before = yield* sandbox.stats.snapshot
      const targetBefore = yield* viewTarget(sandbox)
      const planned = yield* runCli(["plan", "--config", config])
      expect(planned.exitCode, planned.stderr).toBe(3)
      expect(finalAccounting(planned.stdout)).toEqual({ read: 230, create: 0, update: 1, unchanged: 216, reject: 13, conflict: 0, skipped: 0 })
      const made = requestsBetween(before, yield* sandbox.stats.snapshot)
      expect(Object.keys(made).length).toBeGreaterThan(0)
      expect(writeRequests(made)).toEqual({})
      expect((yield* viewTarget(sandbox)).cases).toEqual(targetBefore.cases)

      const report = fs.readFileSync(path.join(dir, "out", "report.md"), "utf-8")
      const caseId = casesByExternalId(targetBefore).get("legacy-LC-100001")![0]!.id
      expect(report).toContain(`### \`legacy-LC-100001\` → case ${caseId} (${csv}:2)`)
      expect(report).toContain("| name | Autopay enrollment | Autopay enrollment (changed) |")
      expect(report).toContain("## Updates (1)")

      const applied = yield* runCli(["apply", "--config", config, "--plan", path.join(dir, "out", "plan.json")])
      expect(applied.exitCode, applied.stderr).toBe(3)
      expect(finalAccounting(applied.stdout)).toEqual({ read: 230, create: 0, update: 1, unchanged: 216, reject: 13, conflict: 0, skipped: 0 })
      const after = casesByExternalId(yield* viewTarget(sandbox)).get("legacy-LC-100001")!
      expect(after.map((c) => [c.id, c.name])).toEqual([[caseId, "Autopay enrollment (changed)"]])
    }), { timeout: 120_000 })

  it.scopedLive("apply refuses items whose target changed since the plan: an update edited in the target, a create made by hand", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("stale")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      // One row changes (an update), one rejected row is fixed (a create).
      copyCsv(samples.csv, csv, {
        2: (line) => line.replace(",Autopay enrollment,", ",Autopay enrollment (changed),"),
        58: (line) => line.replace(",PENDING_REVIEW,", ",OPEN,")
      })
      const planned = yield* runCli(["plan", "--config", config])
      expect(finalAccounting(planned.stdout)).toEqual({ read: 230, create: 1, update: 1, unchanged: 216, reject: 12, conflict: 0, skipped: 0 })

      // Between plan and apply, someone works in the target directly.
      const store = yield* sandbox.state.snapshot
      const updated = casesByExternalId(yield* viewTarget(sandbox)).get("legacy-LC-100001")![0]!
      const edit = yield* put(sandbox, `/people/${updated.borrowerIds[0]}/cases/${updated.id}`, { name: "Renamed by an agent" })
      expect(edit.status).toBe(200)
      const borrower = store.personByExternalId.get("BRW-1016")!
      const byHand = yield* post(sandbox, `/people/${borrower.id}/cases`, {
        typeId: "101",
        externalId: "legacy-LC-100033",
        name: "Made by hand",
        openedAt: "2024-02-07T09:48:57-05:00"
      })
      expect(byHand.status).toBe(200)

      const before = yield* sandbox.stats.snapshot
      const applied = yield* runCli(["apply", "--config", config, "--plan", path.join(dir, "out", "plan.json")])
      expect(applied.exitCode, applied.stderr).toBe(3)
      const counts = finalAccounting(applied.stdout)
      expect(counts).toEqual({ read: 230, create: 0, update: 0, unchanged: 216, reject: 12, conflict: 2, skipped: 0 })
      expect(balances(counts)).toBe(true)
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})

      const results = readCsvRows(path.join(dir, "out", "results.csv"))
      const outcomeOf = (key: string) => results.filter((row) => row["source_key"] === key).map((row) => [row["action"], row["outcome"]])
      expect(outcomeOf("LC-100001")).toEqual([["update", "conflict"]])
      expect(outcomeOf("LC-100033")).toEqual([["create", "conflict"]])
      const held = casesByExternalId(yield* viewTarget(sandbox))
      expect(held.get("legacy-LC-100001")!.map((c) => c.name)).toEqual(["Renamed by an agent"])
      expect(held.get("legacy-LC-100033")!.map((c) => [c.id, c.name])).toEqual([[byHand.body.data.id, "Made by hand"]])
    }), { timeout: 120_000 })

  it.scopedLive("apply fails with exit code 1 naming the holder while another run holds the job's lease, and succeeds once it is released", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("lease")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(60) })
      const expected = expectedCsv({ records: 60, csv })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const planFile = path.join(dir, "out", "plan.json")
      expect((yield* runCli(["plan", "--config", config])).exitCode).toBe(3)

      const holder = { runId: "run-held-by-the-test", pid: 4242, host: "test-host", command: "migrate (held by the test)" }
      const before = yield* sandbox.stats.snapshot
      yield* Effect.gen(function*() {
        const state = yield* StateStore
        yield* state.acquireLease({ name: "apply:legacy-csv", holder, ttl: "10 minutes" })
        const refused = yield* spawnCli(["apply", "--config", config, "--plan", planFile])
        expect(refused.exitCode, refused.stdout).toBe(1)
        expect(refused.stderr).toContain("run-held-by-the-test")
        expect(refused.stderr).toContain("pid 4242 on test-host")
        expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
        expect(yield* state.countByState("legacy-csv")).toMatchObject({ sent: 0, confirmed: 0 })
        expect(yield* state.releaseLease({ name: "apply:legacy-csv", runId: holder.runId })).toBe(true)
      }).pipe(Effect.provide(StateStore.layerSqlite({ filename: path.join(dir, "state.db") })))

      const applied = yield* runCli(["apply", "--config", config, "--plan", planFile])
      expect(applied.exitCode, applied.stderr).toBe(3)
      expect(finalAccounting(applied.stdout)).toMatchObject({ read: 60, create: expected.created.length, reject: expected.rejected.length })
      expect(targetProblems(yield* viewTarget(sandbox), expected.created, { prefix: "legacy-" })).toEqual([])
    }), { timeout: 120_000 })

  it.scopedLive("apply takes over at once a lease left by a run that died on this machine", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("dead-lease")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(20) })
      const expected = expectedCsv({ records: 20, csv })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const planFile = path.join(dir, "out", "plan.json")
      expect((yield* runCli(["plan", "--config", config])).exitCode).toBe(3)

      // A process that has exited: its pid is free, as after a kill -9 of a casesync run.
      const dead = childProcess.spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"])
      const holder = { runId: "run-that-died", pid: Number(dead.stdout.toString()), host: os.hostname(), command: "migrate" }
      yield* Effect.gen(function*() {
        const state = yield* StateStore
        yield* state.acquireLease({ name: "apply:legacy-csv", holder, ttl: "10 minutes" })
      }).pipe(Effect.provide(StateStore.layerSqlite({ filename: path.join(dir, "state.db") })))

      const applied = yield* runCli(["apply", "--config", config, "--plan", planFile])
      expect(applied.exitCode, applied.stderr).toBe(3)
      expect(finalAccounting(applied.stdout)).toMatchObject({ read: 20, create: expected.created.length })
    }), { timeout: 120_000 })

  it.scopedLive("migrate --only-rejects plans only the records of a rejects file; fixed ones are created, the rest skipped (--json)", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("rejects")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const first = yield* runCli(["migrate", "--config", config])
      expect(finalAccounting(first.stdout)).toMatchObject({ read: 230, create: 217, reject: 13 })
      const rejectsFile = path.join(dir, "out", "rejects.csv")

      // The legacy team fixes three rows in place (same line numbers).
      copyCsv(samples.csv, csv, {
        58: (line) => line.replace(",PENDING_REVIEW,", ",OPEN,"),
        220: (line) => line.replace(",2023-02-29 10:00:00,", ",2023-02-28 10:00:00,"),
        326: (line) => line.replace(",FRAUD,", ",GEN,")
      })
      // Instants worked out by hand: New York wall-clock times (EST -05:00 in February, EDT -04:00 in August).
      const fixed: Array<ExpectedCase> = [
        { externalId: "legacy-LC-100033", sourceKey: "LC-100033", borrower: "BRW-1016", caseType: "Dispute of debt", name: "Disputes balance owed", status: "initiated", openedAt: "2024-02-07T14:48:57Z" },
        { externalId: "legacy-LC-100066", sourceKey: "LC-100066", borrower: "BRW-1052", caseType: "Legacy servicing case", name: "Duplicate payment, refund requested", status: "processing", openedAt: "2023-02-28T15:00:00Z" },
        { externalId: "legacy-LC-100118", sourceKey: "LC-100118", borrower: "BRW-1044", caseType: "Legacy servicing case", name: "Hardship assistance inquiry", status: "completed", openedAt: "2023-08-11T01:56:38.120Z" }
      ]
      const before = yield* sandbox.stats.snapshot
      const again = yield* runCli(["migrate", "--config", config, "--only-rejects", rejectsFile, "--json"])
      expect(again.exitCode, again.stderr).toBe(3)
      const json = JSON.parse(again.stdout)
      const counts = { read: 230, create: 3, update: 0, unchanged: 0, reject: 10, conflict: 0, skipped: 217 }
      expect(json.command).toBe("migrate")
      expect(json.counts).toEqual(counts)
      expect(json.apply.counts).toEqual(counts)
      expect(json.plan.counts).toEqual(counts)
      expect(balances(json.counts)).toBe(true)
      expect(json.apply.rejectsFile).toBe(rejectsFile)
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({ [createCases]: 3 })

      const expected = expectedCsv()
      expect(targetProblems(yield* viewTarget(sandbox), [...expected.created, ...fixed], { prefix: "legacy-" })).toEqual([])
      // The rejects file now lists the ten still refused.
      expect(readCsvRows(rejectsFile).map((row) => row["location"]).sort()).toEqual(
        expected.rejected.filter((r) => ![58, 220, 326].includes(r.line!)).map((r) => `${csv}:${r.line}`).sort()
      )
    }), { timeout: 120_000 })

  it.scopedLive("a mistake in the run config or in the mapping: exit code 2 with file:line:column, nothing done", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("mistakes")
      const badConfig = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url, configName: "bad-config.yaml", applyConcurrency: 100 })
      const configLine = lineOf(badConfig, "applyConcurrency: 100")

      const mapping = path.join(dir, "bad-mapping.yaml")
      // The lookup goes beside the copy (a lookup must lie in the mapping's or the config's folder).
      fs.copyFileSync(samples.agents, path.join(dir, "agents.csv"))
      fs.writeFileSync(mapping, fs.readFileSync(samples.csvMapping, "utf-8")
        .replace("../samples/lookups/agents.csv", "agents.csv")
        .replace("from: subject", "from: subjekt"))
      const mappingLine = lineOf(mapping, "from: subjekt")
      const withBadMapping = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url, configName: "bad-mapping.casesync.yaml", mapping })

      const [configRun, mappingRun] = yield* Effect.all([
        spawnCli(["migrate", "--config", badConfig]),
        spawnCli(["plan", "--config", withBadMapping])
      ], { concurrency: 2 })
      expect(configRun.exitCode, configRun.stderr).toBe(2)
      expect(configRun.stderr).toMatch(new RegExp(`${escape(badConfig)}:${configLine}:\\d+: applyConcurrency`))
      expect(mappingRun.exitCode, mappingRun.stderr).toBe(2)
      expect(mappingRun.stderr).toMatch(new RegExp(`${escape(mapping)}:${mappingLine}:\\d+ .*subjekt`))
      expect(writeRequests(requestsBetween(noRequests, yield* sandbox.stats.snapshot))).toEqual({})
      expect(fs.existsSync(path.join(dir, "out", "plan.json"))).toBe(false)
    }), { timeout: 120_000 })
})
