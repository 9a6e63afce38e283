import { it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect } from "vitest"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import { StateStore } from "../../src/state/StateStore.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { type RunningCli, startCli } from "../apply/e2e/CliProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "../apply/e2e/Expected.js"
import { finalAccounting } from "../apply/e2e/RunOutputs.js"
import { countPresent, requestsBetween, targetProblems, viewTarget } from "../apply/e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "../apply/e2e/Workspace.js"

// Ctrl-C and SIGTERM against a real `casesync migrate` process mid-apply: the exit code says the
// run was stopped (128 + the signal, as a shell reports it), the run record says `interrupted`,
// the ledger holds no write left in doubt, stderr says how to resume, and the same command then
// finishes the job with no duplicate and no gap. A second Ctrl-C does not wait for anything.

const records = 120
const createCases = "POST /people/:personId/cases"
const planLine = /^plan \S+ for job/m

const knobs = (sandbox: Sandbox, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${sandbox.origin}/_sandbox/knobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    if (!response.ok) throw new Error(`POST /_sandbox/knobs: ${response.status}`)
  })

/** Waits until the sandbox has answered `count` creates: the child is then mid-apply. */
const afterCreates = (sandbox: Sandbox, running: RunningCli, count: number) =>
  Effect.promise(async () => {
    await running.when(planLine)
    for (;;) {
      const stats = await Effect.runPromise(sandbox.stats.snapshot)
      if ((stats.byEndpoint[createCases]?.total ?? 0) >= count) return
      if (running.child.exitCode !== null) throw new Error(`the run ended before ${count} creates:\n${running.stderr()}`)
      await sleep(20)
    }
  })

const workspace = (name: string, options: { readonly pageSize?: number } = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox({ knobs: { latencyMs: 20, latencyJitterMs: 10 } })
    const dir = yield* makeTempDir(name)
    const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(records) })
    const expected = expectedCsv({ records, csv })
    const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url, applyConcurrency: 2, ...options })
    const state = StateStore.layerSqlite({ filename: path.join(dir, "state.db") })
    return { sandbox, config, expected, state, wanted: expected.created.map((c) => c.externalId) }
  })

type Workspace = Effect.Effect.Success<ReturnType<typeof workspace>>

/** The same migrate again, to completion: it must create exactly what is missing, once each. */
const rerunCompletes = (ws: Workspace) =>
  Effect.gen(function*() {
    yield* knobs(ws.sandbox, { latencyMs: 0, latencyJitterMs: 0 })
    const present = countPresent(yield* viewTarget(ws.sandbox), ws.wanted)
    const before = yield* ws.sandbox.stats.snapshot
    const rerun = yield* runCli(["migrate", "--config", ws.config])
    expect(rerun.exitCode, rerun.stderr).toBe(3)
    expect(finalAccounting(rerun.stdout)).toMatchObject({ read: records, conflict: 0, reject: ws.expected.rejected.length })
    expect(targetProblems(yield* viewTarget(ws.sandbox), ws.expected.created, { prefix: "legacy-" })).toEqual([])
    expect(requestsBetween(before, yield* ws.sandbox.stats.snapshot)[createCases] ?? 0).toBe(ws.wanted.length - present)
    yield* Effect.gen(function*() {
      const store = yield* StateStore
      expect(yield* store.countByState("legacy-csv")).toMatchObject({ planned: 0, sent: 0, confirmed: ws.wanted.length })
    }).pipe(Effect.provide(ws.state))
  })

describe("casesync stopped by a signal", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it.scopedLive(`${signal}: exit ${code}, run recorded as interrupted, no write left in doubt, how to resume on stderr; a rerun finishes`, () =>
      Effect.gen(function*() {
        const ws = yield* workspace(signal.toLowerCase())
        const running = startCli(["migrate", "--config", ws.config])
        yield* afterCreates(ws.sandbox, running, 5)
        running.child.kill(signal)
        const result = yield* Effect.promise(() => running.exited)

        expect(result.signal, result.stderr).toBeNull()
        expect(result.exitCode, result.stderr).toBe(code)
        expect(result.stderr).toContain(signal)
        expect(result.stderr).toContain("To resume: run the same command again")
        const present = countPresent(yield* viewTarget(ws.sandbox), ws.wanted)
        expect(present).toBeGreaterThan(0)
        expect(present).toBeLessThan(ws.wanted.length)
        yield* Effect.gen(function*() {
          const store = yield* StateStore
          const runs = yield* store.listRuns({ limit: 5 })
          expect(runs.map((run) => [run.command, run.outcome])).toEqual([["migrate", "interrupted"]])
          expect(runs[0]!.endedAt).not.toBeNull()
          // The writes in flight were let finish: every case the target holds is confirmed, none left `sent`.
          expect(yield* store.countByState("legacy-csv")).toMatchObject({ sent: 0, confirmed: present })
          expect(yield* store.getLease("apply:legacy-csv")).toEqual(Option.none())
        }).pipe(Effect.provide(ws.state))

        yield* rerunCompletes(ws)
      }), { timeout: 120_000 })
  }

  it.scopedLive("SIGTERM during plan: exit 143, how to resume on stderr; the same command then finishes", () =>
    Effect.gen(function*() {
      // A case per list page: the target's 4 cases take 5 pages, read one after the other.
      const ws = yield* workspace("sigterm-plan", { pageSize: 1 })
      // Every request now takes 3 s: the child is stopped while it reads the target (the first
      // answers come after 3 s, the case pages go on for 12 s more).
      yield* knobs(ws.sandbox, { latencyMs: 3_000, latencyJitterMs: 0 })
      const running = startCli(["plan", "--config", ws.config])
      yield* Effect.promise(async () => {
        while ((await Effect.runPromise(ws.sandbox.stats.snapshot)).total === 0 && running.child.exitCode === null) await sleep(20)
      })
      yield* Effect.promise(() => sleep(300))
      running.child.kill("SIGTERM")
      const result = yield* Effect.promise(() => running.exited)

      expect(result.signal, result.stderr).toBeNull()
      expect(result.exitCode, result.stderr).toBe(143)
      expect(result.stderr).toContain("To resume: run the same command again")
      expect(result.stdout).not.toMatch(planLine)
      yield* Effect.promise(() => sleep(3_000))
      yield* rerunCompletes(ws)
    }), { timeout: 120_000 })

  it.scopedLive("a second SIGINT exits at once (130), without waiting for the write in flight; a rerun finishes", () =>
    Effect.gen(function*() {
      const ws = yield* workspace("sigint-twice")
      const running = startCli(["migrate", "--config", ws.config])
      yield* afterCreates(ws.sandbox, running, 5)
      // From now on every request takes 6 s: the first Ctrl-C waits for the writes in flight.
      yield* knobs(ws.sandbox, { latencyMs: 6_000, latencyJitterMs: 0 })
      yield* Effect.promise(() => sleep(300))
      running.child.kill("SIGINT")
      yield* Effect.promise(() => sleep(500))
      expect(running.child.exitCode, "the first Ctrl-C waits for the writes in flight").toBeNull()
      const secondAt = performance.now()
      running.child.kill("SIGINT")
      const result = yield* Effect.promise(() => running.exited)

      expect(performance.now() - secondAt).toBeLessThan(2_000)
      expect(result.signal, result.stderr).toBeNull()
      expect(result.exitCode, result.stderr).toBe(130)
      expect(result.stderr).toContain("To resume: run the same command again")
      // The requests the sandbox still holds finish (or not) within its latency; then the rerun.
      yield* Effect.promise(() => sleep(6_500))
      yield* rerunCompletes(ws)
    }), { timeout: 120_000 })
})
