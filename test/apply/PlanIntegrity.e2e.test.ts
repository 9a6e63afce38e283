import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import type { PlanItem } from "../../src/plan/Plan.js"
import { writePlanFile } from "../../src/plan/PlanFile.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { StateStore } from "../../src/state/StateStore.js"
import { runCli } from "./e2e/CliInProcess.js"
import { spawnCli } from "./e2e/CliProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "./e2e/Expected.js"
import { readPlanItems } from "./e2e/PlanItems.js"
import { finalAccounting, readCsvRows } from "./e2e/RunOutputs.js"
import { requestsBetween, viewTarget, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// A reviewed plan is the plan that runs: apply refuses a plan file that was edited, reordered
// or cut after it was written (exit 2, no write), and refuses per item an item whose body
// would write another externalId than its own.

const createCases = "POST /people/:personId/cases"

describe("apply runs only the plan that was reviewed", () => {
  it.scopedLive("an edited, reordered or cut plan: exit 2 naming what is wrong, no write request, the ledger untouched", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("plan-digest")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(20) })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const planFile = path.join(dir, "out", "plan.json")
      expect((yield* runCli(["plan", "--config", config])).exitCode).toBe(3)
      const lines = fs.readFileSync(planFile, "utf-8").split("\n")
      // Lines 3 and 4 are the first two items; both end with the separating comma.
      expect(lines[2]!.endsWith(",") && lines[3]!.endsWith(",")).toBe(true)
      const variants: Array<[string, Array<string>, string]> = [
        ["edited", lines.map((line, i) => (i === 2 ? line.replace("\"personId\":\"", "\"personId\":\"X") : line)), "an item was edited"],
        ["reordered", lines.map((line, i) => (i === 2 ? lines[3]! : i === 3 ? lines[2]! : line)), "reordered"],
        ["cut", lines.filter((_, i) => i !== 3), "cut or added"]
      ]
      expect(variants[0]![1][2]).not.toBe(lines[2])

      const before = yield* sandbox.stats.snapshot
      for (const [name, text, says] of variants) {
        const file = path.join(dir, `plan-${name}.json`)
        fs.writeFileSync(file, text.join("\n"))
        const refused = yield* spawnCli(["apply", "--config", config, "--plan", file])
        expect(refused.exitCode, `${name}: ${refused.stderr}`).toBe(2)
        expect(refused.stderr, name).toContain(file)
        expect(refused.stderr, name).toContain(says)
        expect(refused.stderr, name).toContain("make a new plan")
      }
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
      yield* Effect.gen(function*() {
        const state = yield* StateStore
        expect(yield* state.countByState("legacy-csv")).toEqual({ planned: 0, sent: 0, confirmed: 0, rejected: 0 })
      }).pipe(Effect.provide(StateStore.layerSqlite({ filename: path.join(dir, "state.db") })))

      // The untouched plan still applies.
      const applied = yield* runCli(["apply", "--config", config, "--plan", planFile])
      expect(applied.exitCode, applied.stderr).toBe(3)
    }), { timeout: 120_000 })

  it.scopedLive("an item whose body writes another externalId is rejected on its own; the rest is applied", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("body-external-id")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(20) })
      const expected = expectedCsv({ records: 20 })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const planFile = path.join(dir, "out", "plan.json")
      expect((yield* runCli(["plan", "--config", config])).exitCode).toBe(3)
      // A plan written (digest and all) with one create whose body names the second create's externalId,
      // as a faulty planner would: without the check its POST is a 409 that stops the whole apply.
      // Its bodies are written out (no source file in its header), so apply sends them as they are.
      const { header: { caseTypes: _types, sourceFile: _file, ...header }, items } = yield* readPlanItems(config, planFile)
      const creates = items.filter((item): item is Extract<PlanItem, { _tag: "create" }> => item._tag === "create")
      const [victim, other] = [creates[0]!, creates[1]!]
      const faulty = items.map((item) => (item === victim ? { ...victim, body: { ...victim.body, externalId: other.externalId } } : item))
      const faultyFile = path.join(dir, "plan-faulty.json")
      yield* writePlanFile(faultyFile, header, Stream.fromIterable(faulty))

      const before = yield* sandbox.stats.snapshot
      const applied = yield* runCli(["apply", "--config", config, "--plan", faultyFile])
      expect(applied.exitCode, applied.stderr).toBe(3)
      expect(finalAccounting(applied.stdout)).toMatchObject({
        read: 20,
        create: expected.created.length - 1,
        reject: expected.rejected.length + 1
      })
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({ [createCases]: expected.created.length - 1 })
      const refused = readCsvRows(path.join(dir, "out", "rejects.csv")).find((row) => row["external_id"] === victim.externalId)
      expect(refused).toMatchObject({ field: "externalId", source_key: victim.sourceKey })
      expect(refused!["reason"]).toContain(other.externalId)
      const held = (yield* viewTarget(sandbox)).cases.filter((c) => c.externalId === victim.externalId || c.externalId === other.externalId)
      expect(held.map((c) => c.externalId)).toEqual([other.externalId])
    }), { timeout: 120_000 })

  it.scopedLive("another job's plan is refused for being another job's, whatever file that job read", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("other-job")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(10) })
      const other = copyCsv(samples.csv, path.join(dir, "other-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(20) })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const otherConfig = writeCsvConfig({ dir, csv: other, targetUrl: sandbox.url, job: "other-job", configName: "other.casesync.yaml", output: path.join(dir, "other-out"), state: path.join(dir, "other.db") })
      expect((yield* runCli(["plan", "--config", otherConfig])).exitCode).toBe(3)
      const applied = yield* runCli(["apply", "--config", config, "--plan", path.join(dir, "other-out", "plan.json")])
      expect(applied.exitCode, applied.stderr).toBe(2)
      expect(applied.stderr).toContain(`it was made for job "other-job", this config runs job "legacy-csv"`)
      expect(applied.stderr).not.toMatch(/changed since the plan/)
    }), { timeout: 120_000 })
})
