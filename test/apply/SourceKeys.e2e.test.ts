import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { runCli } from "./e2e/CliInProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "./e2e/Expected.js"
import { balances, finalAccounting, readCsvRows } from "./e2e/RunOutputs.js"
import { casesByExternalId, requestsBetween, targetProblems, viewTarget, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// Source keys that do not behave: a key seen twice in one export, and a key template that
// changed between runs. Both are the records' problem, so both end as per-record rejects
// (exit 3), never as a failed run.

const keep = csvLinesOfFirstRecords(20)

describe("source keys, end to end against the sandbox", () => {
  it.scopedLive("a key seen twice: the first run exits 3 with one case for the key and the second row rejected; a rerun writes nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("duplicate-key")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: keep })
      // The export lists LC-100001 (line 2) a second time, with another subject, at its end.
      const line2 = fs.readFileSync(samples.csv, "utf-8").split("\r\n")[1]!
      fs.appendFileSync(csv, `${line2.replace(",Autopay enrollment,", ",Autopay enrollment (again),")}\r\n`)
      const duplicateLine = keep + 1
      // What the sample's first 20 records give (the first LC-100001, as the sample has it).
      const expected = expectedCsv({ records: 20 })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })

      const first = yield* runCli(["migrate", "--config", config])
      expect(first.exitCode, first.stderr).toBe(3)
      const counts = finalAccounting(first.stdout)
      expect(counts).toEqual({
        read: 21,
        create: expected.created.length,
        update: 0,
        unchanged: 0,
        reject: expected.rejected.length + 1,
        conflict: 0,
        skipped: 0
      })
      expect(balances(counts)).toBe(true)
      const view = yield* viewTarget(sandbox)
      expect(targetProblems(view, expected.created, { prefix: "legacy-" })).toEqual([])
      expect(casesByExternalId(view).get("legacy-LC-100001")!.map((c) => c.name)).toEqual(["Autopay enrollment"])
      const duplicate = readCsvRows(path.join(dir, "out", "rejects.csv")).filter((row) => row["location"] === `${csv}:${duplicateLine}`)
      expect(duplicate).toHaveLength(1)
      expect(duplicate[0]).toMatchObject({ source_key: "LC-100001" })
      expect(duplicate[0]!["reason"]).toContain(`${csv}:2`)

      const before = yield* sandbox.stats.snapshot
      const second = yield* runCli(["migrate", "--config", config])
      expect(second.exitCode, second.stderr).toBe(3)
      expect(finalAccounting(second.stdout)).toEqual({ ...counts, create: 0, unchanged: expected.created.length })
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
      expect((yield* viewTarget(sandbox)).cases).toEqual(view.cases)
    }), { timeout: 120_000 })

  it.scopedLive("a key template changed between runs: each record already migrated under its old key is rejected, the run exits 3 and writes nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("key-template")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: keep })
      const expected = expectedCsv({ records: 20, csv })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      const view = yield* viewTarget(sandbox)

      // Beside the shipped mapping's copy, so its lookup (../samples/lookups) stays inside the allowed folders.
      const mapping = path.join(dir, "mappings", "rekeyed.yaml")
      const original = fs.readFileSync(samples.csvMapping, "utf-8")
      const rekeyed = original.replace(`key: "{case_id}"`, `key: "case-{case_id}"`)
      expect(rekeyed).not.toBe(original)
      fs.writeFileSync(mapping, rekeyed)
      const changed = writeCsvConfig({ dir, csv, targetUrl: sandbox.url, mapping, configName: "rekeyed.casesync.yaml" })

      const before = yield* sandbox.stats.snapshot
      const run = yield* runCli(["migrate", "--config", changed])
      expect(run.exitCode, run.stderr).toBe(3)
      const counts = finalAccounting(run.stdout)
      expect(counts).toEqual({ read: 20, create: 0, update: 0, unchanged: 0, reject: 20, conflict: 0, skipped: 0 })
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
      expect((yield* viewTarget(sandbox)).cases).toEqual(view.cases)
      const rejects = readCsvRows(path.join(dir, "out", "rejects.csv"))
      const rekeyedRow = rejects.find((row) => row["source_key"] === "case-LC-100001")
      expect(rekeyedRow, JSON.stringify(rejects.slice(0, 3))).toBeDefined()
      expect(rekeyedRow).toMatchObject({ location: `${csv}:2`, field: "key" })
      expect(rekeyedRow!["reason"]).toContain("LC-100001")
      expect(rejects.filter((row) => row["field"] === "key")).toHaveLength(expected.created.length)
    }), { timeout: 120_000 })
})
