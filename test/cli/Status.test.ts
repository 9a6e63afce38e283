import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { StateStore } from "../../src/state/StateStore.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "../apply/e2e/Expected.js"
import { casesByExternalId, viewTarget } from "../apply/e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "../apply/e2e/Workspace.js"

// `casesync status` on the state a real migration leaves (the first 60 records of the CSV
// sample, migrated twice into the sandbox, once after an agent edited a case), read through
// the real command tree; what it must show is worked out from the sample, not from casesync.

const renameInTarget = (url: string, personId: string, caseId: string, name: string) =>
  Effect.promise(() =>
    fetch(`${url}/people/${personId}/cases/${caseId}`, {
      method: "PUT",
      headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
      body: JSON.stringify({ name })
    }).then((response) => response.status)
  )

describe("casesync status", () => {
  it.scopedLive("after two migrations lists both runs with their counts and outcome, the ledger by state, the open conflict and the lease holder; --json is one document", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("status")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(60) })
      const expected = expectedCsv({ records: 60, csv })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)

      // An agent renames a migrated case: the next plan finds the target changed an owned field.
      const [edited] = casesByExternalId(yield* viewTarget(sandbox)).get(`legacy-${expected.created[0]!.sourceKey}`)!
      expect(yield* renameInTarget(sandbox.url, edited!.borrowerIds[0]!, edited!.id, "Renamed by an agent")).toBe(200)
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)

      const human = yield* runCli(["status", "--config", config])
      expect(human.exitCode, human.stderr).toBe(0)
      const created = expected.created.length
      const rejected = expected.rejected.length
      expect(human.stdout).toContain("job legacy-csv")
      expect(human.stdout).toContain("runs: 2 (newest first)")
      const runLines = human.stdout.split("\n").filter((line) => line.includes("(run "))
      expect(runLines).toHaveLength(2)
      // Newest first: the second pass found one conflict and nothing to write.
      expect(runLines[0]).toContain(`migrate  succeeded`)
      expect(runLines[0]).toContain(`read 60, create 0, update 0, unchanged ${created - 1}, reject ${rejected}, conflict 1, skipped 0`)
      expect(runLines[1]).toContain(`read 60, create ${created}, update 0, unchanged 0, reject ${rejected}, conflict 0, skipped 0`)
      // Records the mapping rejects never reach the ledger (they are in rejects.csv); the conflict stays planned.
      expect(human.stdout).toContain(`ledger: ${created} rows: planned 1, sent 0, confirmed ${created - 1}, rejected 0`)
      expect(human.stdout).toContain("open conflicts: 1")
      expect(human.stdout).toContain(`  ${expected.created[0]!.sourceKey} → legacy-${expected.created[0]!.sourceKey} (case ${edited!.id})`)
      expect(human.stdout).toContain("lease: free")

      // While another run applies, status names it.
      const holder = { runId: "run-held-by-the-test", pid: 4242, host: "test-host", command: "migrate" }
      yield* Effect.gen(function*() {
        const state = yield* StateStore
        yield* state.acquireLease({ name: "apply:legacy-csv", holder, ttl: "10 minutes" })
      }).pipe(Effect.provide(StateStore.layerSqlite({ filename: path.join(dir, "state.db") })))

      const json = yield* runCli(["status", "--config", config, "--json"])
      expect(json.exitCode, json.stderr).toBe(0)
      const doc = JSON.parse(json.stdout)
      expect(doc.job).toBe("legacy-csv")
      expect(doc.runs.map((run: { command: string; outcome: string }) => [run.command, run.outcome])).toEqual([
        ["migrate", "succeeded"],
        ["migrate", "succeeded"]
      ])
      expect(doc.runs[1].counts).toEqual({ read: 60, create: created, update: 0, unchanged: 0, reject: rejected, conflict: 0, skipped: 0 })
      expect(doc.runs[0].endedAt >= doc.runs[0].startedAt).toBe(true)
      expect(doc.ledger).toEqual({ planned: 1, sent: 0, confirmed: created - 1, rejected: 0, total: created })
      expect(doc.conflicts).toEqual([expect.objectContaining({ sourceKey: expected.created[0]!.sourceKey, caseId: edited!.id })])
      expect(doc.lease).toMatchObject({ status: "held", holder })

      const again = yield* runCli(["status", "--config", config])
      expect(again.stdout).toContain('lease: held by run run-held-by-the-test ("migrate", pid 4242 on test-host)')
    }), { timeout: 120_000 })

  it.scopedLive("on a state file that does not exist: exit code 2, one line saying where it looked, and nothing created", () =>
    Effect.gen(function*() {
      const dir = yield* makeTempDir("status-missing")
      const state = path.join(dir, "never", "state.db")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: "http://127.0.0.1:9", state })
      const listing = fs.readdirSync(dir, { recursive: true }).map(String).sort()
      const result = yield* runCli(["status", "--config", config])
      expect(result.exitCode).toBe(2)
      expect(result.stdout).toBe("")
      expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining(`no state store at ${state}`)])
      expect(fs.existsSync(path.join(dir, "never"))).toBe(false)
      expect(fs.readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(listing)
    }))
})
