import { it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { startCli } from "../apply/e2e/CliProcess.js"
import { requestsBetween, writeRequests } from "../apply/e2e/TargetCheck.js"
import { StateStore } from "../../src/state/StateStore.js"
import { samples, writeCsvConfig } from "../apply/e2e/Workspace.js"
import { migratedJob } from "./e2e/SyncWorkspace.js"

// The real binary on a schedule: cycles until SIGTERM, then exit 0 with nothing left half-done.
describe("casesync sync on a schedule, and its lease", () => {
  it.scopedLive("runs a cycle every second until SIGTERM, then exits 0", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      fs.appendFileSync(job.config, "sync:\n  every: 1s\n")
      const running = startCli(["sync", "--config", job.config])
      yield* Effect.addFinalizer(() => Effect.sync(() => running.child.kill("SIGKILL")))
      yield* Effect.promise(() => running.when(/sync cycle 3 of job/))
      running.child.kill("SIGTERM")
      const exited = yield* Effect.promise(() => running.exited)
      expect(exited.exitCode, exited.stderr).toBe(0)
      expect(exited.stdout).toContain("syncing job khoros-crm every 1s until SIGINT or SIGTERM")
      expect(exited.stderr).toContain("sync stopped; the writes in flight were finished")
      // The lease was given back: a cycle right after runs at once.
      const after = yield* job.cycle()
      expect(after.writes).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("without a schedule and without --once, sync says what to add (exit 2); a CSV job's sync says it is one-way", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      const refused = yield* job.cli("sync")
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain("has no schedule")
      const csvConfig = writeCsvConfig({ dir: job.dir, csv: samples.csv, targetUrl: job.sandbox.url, configName: "csv.casesync.yaml", job: "csv" })
      const csv = yield* runCli(["sync", "--once", "--config", csvConfig])
      expect(csv.exitCode).toBe(2)
      expect(csv.stderr).toContain("its sync is one-way")
      expect(csv.stderr).toContain("casesync migrate")
    }), { timeout: 120_000 })

  it.scopedLive("a cycle takes the job's lease: while another run holds it, sync says who and writes nothing (exit 1)", () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.crmEdit("KC-10001", { priority: "high" })
      const store = yield* Effect.map(Layer.build(StateStore.layerSqlite({ filename: path.join(job.dir, "state.db") })), Context.get(StateStore))
      const holder = { runId: "apply-elsewhere", pid: 4242, host: "other-host", command: "casesync apply" }
      yield* store.acquireLease({ name: "apply:khoros-crm", holder, ttl: "1 minute" })
      const before = yield* job.sandbox.stats.snapshot
      const refused = yield* job.cli("sync", "--once")
      expect(refused.exitCode).toBe(1)
      expect(refused.stderr).toContain(`held by run apply-elsewhere ("casesync apply", pid 4242 on other-host)`)
      expect(writeRequests(requestsBetween(before, yield* job.sandbox.stats.snapshot))).toEqual({})
      yield* store.releaseLease({ name: "apply:khoros-crm", runId: "apply-elsewhere" })
      expect((yield* job.cycle()).writes).toEqual({ "PUT /people/:personId/cases/:caseId": 1 })
    }), { timeout: 120_000 })
})
