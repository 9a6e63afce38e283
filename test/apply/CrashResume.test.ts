import { it } from "@effect/vitest"
import { Duration, Effect, Stream } from "effect"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect } from "vitest"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../../src/sandbox/SandboxStats.js"
import { StateStore } from "../../src/state/StateStore.js"
import { clockAhead, runCli } from "./e2e/CliInProcess.js"
import { startCli } from "./e2e/CliProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "./e2e/Expected.js"
import { balances, finalAccounting } from "./e2e/RunOutputs.js"
import { casesByExternalId, countPresent, requestsBetween, targetProblems, viewTarget } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// Crash safety of `casesync migrate`, with real processes: a child running
// `node bin/casesync.js migrate` is SIGKILLed at a random instant of its run, then the same
// migrate runs again to completion. Whatever instant the kill hit, the target must end up
// with every expected case exactly once and the ledger with no row left `sent` or `planned`.
//
// Replay a failure with CRASH_SEED=<seed printed by the test>. The kill instants are drawn
// uniformly over the run (stratified: one per 1/trials of it, so every part of the run is hit),
// measured on one uninterrupted run first. An instant before the plan is printed is counted
// from the spawn; a later one from the moment the plan line appears, so a slow start-up on a
// busy machine does not push every kill out of the apply phase.

// CRASH_TRIALS may lower the count to replay a failure quickly; the suite runs 20.
const trials = Number(process.env["CRASH_TRIALS"] ?? 20)
const records = 200
const seed = Number(process.env["CRASH_SEED"] ?? 20261121)
const createCases = "POST /people/:personId/cases"
const planLine = /^plan \S+ for job/m

/** mulberry32: a tiny seeded PRNG, so a failing run's kill instants can be replayed. */
const prng = (state: number) => () => {
  state = (state + 0x6D2B79F5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const control = (sandbox: Sandbox, route: string, body?: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${sandbox.origin}/_sandbox/${route}`, {
      method: "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!response.ok) throw new Error(`POST /_sandbox/${route}: ${response.status}`)
  })

// 5 to 20 ms per request: long enough for a kill to land between a create's send and its answer.
const slow = { latencyMs: 5, latencyJitterMs: 15 }
const fast = { latencyMs: 0, latencyJitterMs: 0 }

type Phase = "before any create" | "mid-apply" | "after every create" | "finished first"

describe("casesync migrate killed with SIGKILL at random instants, then run again", () => {
  it.scopedLive(`${trials} trials: every case exactly once, nothing left sent or planned`, () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox({ knobs: slow })
      const dir = yield* makeTempDir("crash")
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(records) })
      const expected = expectedCsv({ records, csv })
      const wanted = expected.created.map((c) => c.externalId)
      const configFor = (trial: string) =>
        writeCsvConfig({
          dir,
          csv,
          targetUrl: sandbox.url,
          configName: `${trial}.casesync.yaml`,
          state: path.join(dir, trial, "state.db"),
          output: path.join(dir, trial, "out"),
          applyConcurrency: 1
        })

      // One uninterrupted run, in a child started like the ones we kill: it must work, and it times the phases.
      const baselineRun = startCli(["migrate", "--config", configFor("baseline")])
      const planAt = yield* Effect.promise(() => baselineRun.when(planLine))
      const baseline = yield* Effect.promise(() => baselineRun.exited)
      expect(baseline.exitCode, baseline.stderr).toBe(3)
      expect(finalAccounting(baseline.stdout)).toMatchObject({ read: records, create: wanted.length, reject: expected.rejected.length })
      expect(targetProblems(yield* viewTarget(sandbox), expected.created, { prefix: "legacy-" })).toEqual([])
      const total = baseline.millis
      console.log(
        `crash trials: seed ${seed} (replay with CRASH_SEED=${seed}); uninterrupted run ${total.toFixed(0)} ms, plan printed at ${planAt.toFixed(0)} ms`
      )

      const random = prng(seed)
      const phases: Array<Phase> = []
      for (let trial = 0; trial < trials; trial++) {
        yield* control(sandbox, "reset")
        yield* control(sandbox, "knobs", slow)
        const config = configFor(`trial-${trial}`)
        const killAt = ((trial + random()) / trials) * total

        // == the run we kill
        const killed = yield* Effect.promise(async () => {
          const running = startCli(["migrate", "--config", config])
          if (killAt < planAt) {
            await Promise.race([sleep(killAt), running.exited])
          } else {
            const planned = await Promise.race([running.when(planLine), running.exited.then(() => undefined)])
            if (planned !== undefined) await Promise.race([sleep(killAt - planAt), running.exited])
          }
          if (running.child.exitCode === null) running.child.kill("SIGKILL")
          const result = await running.exited
          // Told by how it ended: a run can end on its own just as the kill is sent (exitCode is set only
          // once Node has seen the exit), and the signal then finds no process.
          const finished = result.signal !== "SIGKILL"
          // Requests already inside the sandbox finish within its latency (at most 20 ms).
          await sleep(200)
          return { finished, result, sawPlan: planLine.test(running.stdout()) }
        })
        // A run that ended on its own ended as the uninterrupted one did.
        if (killed.finished) expect(killed.result.exitCode, `trial ${trial}: ${killed.result.stderr}`).toBe(3)
        const present = countPresent(yield* viewTarget(sandbox), wanted)
        const phase: Phase = killed.finished
          ? "finished first"
          : present === 0
          ? "before any create"
          : present < wanted.length
          ? "mid-apply"
          : "after every create"
        phases.push(phase)
        console.log(
          `trial ${trial}: kill at ${killAt.toFixed(0)} ms${killAt >= planAt ? ` (${(killAt - planAt).toFixed(0)} ms after the plan line)` : ""}` +
            ` → ${phase}, ${present}/${wanted.length} cases present${killed.sawPlan ? "" : ", plan not printed yet"}`
        )

        // == the run again, to completion: in this process, as if after the killed run's lease expired
        yield* control(sandbox, "knobs", fast)
        const before: RequestStats = yield* sandbox.stats.snapshot
        const rerun = yield* runCli(["migrate", "--config", config]).pipe(Effect.withClock(clockAhead(Duration.minutes(2))))
        expect(rerun.exitCode, `trial ${trial}: ${rerun.stderr}`).toBe(3)
        const counts = finalAccounting(rerun.stdout)
        expect(balances(counts), `trial ${trial}`).toBe(true)
        expect(counts, `trial ${trial}`).toMatchObject({ read: records, update: 0, conflict: 0, reject: expected.rejected.length, skipped: 0 })
        expect(counts.create + counts.unchanged, `trial ${trial}`).toBe(wanted.length)

        // == what must hold whatever the instant of the kill
        const view = yield* viewTarget(sandbox)
        expect(targetProblems(view, expected.created, { prefix: "legacy-" }), `trial ${trial}`).toEqual([])
        // The rerun created exactly the missing cases, each with one request: nothing that had landed was sent again.
        const rerunRequests = requestsBetween(before, yield* sandbox.stats.snapshot)
        expect(rerunRequests[createCases] ?? 0, `trial ${trial}`).toBe(wanted.length - present)
        expect((yield* sandbox.stats.snapshot).byEndpoint[createCases]?.byStatus["409"], `trial ${trial}`).toBeUndefined()

        const caseIds = new Map([...casesByExternalId(view)].map(([externalId, held]) => [externalId, held[0]!.id]))
        yield* Effect.gen(function*() {
          const state = yield* StateStore
          const counted = yield* state.countByState("legacy-csv")
          expect(counted, `trial ${trial}`).toMatchObject({ planned: 0, sent: 0, confirmed: wanted.length })
          const entries = yield* Stream.runCollect(state.listEntries("legacy-csv"))
          const confirmed = Array.from(entries).filter((entry) => entry.writeState === "confirmed")
          expect(confirmed.map((entry) => [entry.externalId, entry.caseId]).sort(), `trial ${trial}`).toEqual(
            wanted.map((externalId) => [externalId, caseIds.get(externalId)]).sort()
          )
        }).pipe(Effect.provide(StateStore.layerSqlite({ filename: path.join(dir, `trial-${trial}`, "state.db") })))
      }

      const tally = (phase: Phase) => phases.filter((p) => p === phase).length
      console.log(
        `crash trials (seed ${seed}): ${tally("before any create")} before any create, ${tally("mid-apply")} mid-apply, ` +
          `${tally("after every create")} after every create, ${tally("finished first")} finished before the kill`
      )
      // The trials must exercise the interesting window: a kill between creates.
      expect(tally("mid-apply")).toBeGreaterThanOrEqual(Math.ceil(trials / 4))
    }), { timeout: 480_000 })
})
