import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { runCli } from "./e2e/CliInProcess.js"
import { finalAccounting } from "./e2e/RunOutputs.js"
import { requestsBetween, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// How many times a run reads the target: `migrate` lists it once (its plan's listing serves the
// apply), `apply --plan` re-reads only the cases its plan writes.

const companyList = "GET /cases"
const borrowerList = "GET /people/:personId/cases"

describe("reads of the target per run", () => {
  it.scopedLive("migrate lists the target's cases once per run, first run and rerun alike", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("one-listing")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      const start = yield* sandbox.stats.snapshot
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      const afterFirst = yield* sandbox.stats.snapshot
      expect(requestsBetween(start, afterFirst)[companyList]).toBe(1)

      const rerun = yield* runCli(["migrate", "--config", config])
      expect(finalAccounting(rerun.stdout)).toMatchObject({ create: 0, update: 0, unchanged: 217 })
      const made = requestsBetween(afterFirst, yield* sandbox.stats.snapshot)
      // 217 + the seed's cases are three pages: read once.
      expect(made[companyList]).toBe(3)
      expect(made[borrowerList]).toBeUndefined()
      expect(writeRequests(made)).toEqual({})
    }), { timeout: 120_000 })

  it.scopedLive("apply --plan re-reads only what its plan writes: one borrower's list for one update, nothing for a plan with no write", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("written-only")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"))
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      const planFile = path.join(dir, "out", "plan.json")
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)

      copyCsv(samples.csv, csv, { 2: (line) => line.replace(",Autopay enrollment,", ",Autopay enrollment (changed),") })
      expect(finalAccounting((yield* runCli(["plan", "--config", config])).stdout)).toMatchObject({ create: 0, update: 1, unchanged: 216 })
      const beforeUpdate = yield* sandbox.stats.snapshot
      const applied = yield* runCli(["apply", "--config", config, "--plan", planFile])
      expect(finalAccounting(applied.stdout), applied.stderr).toMatchObject({ update: 1, unchanged: 216, conflict: 0 })
      const madeByUpdate = requestsBetween(beforeUpdate, yield* sandbox.stats.snapshot)
      expect(madeByUpdate[companyList]).toBeUndefined()
      expect(madeByUpdate[borrowerList]).toBe(1)
      expect(writeRequests(madeByUpdate)).toEqual({ "PUT /people/:personId/cases/:caseId": 1 })

      expect(finalAccounting((yield* runCli(["plan", "--config", config])).stdout)).toMatchObject({ create: 0, update: 0, unchanged: 217 })
      const beforeNothing = yield* sandbox.stats.snapshot
      const idle = yield* runCli(["apply", "--config", config, "--plan", planFile])
      expect(finalAccounting(idle.stdout)).toMatchObject({ unchanged: 217, conflict: 0 })
      // Only the case types, which the mapping is checked against before anything else.
      expect(requestsBetween(beforeNothing, yield* sandbox.stats.snapshot)).toEqual({ "GET /case-types": 1 })
    }), { timeout: 120_000 })
})
