import { NodeContext } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { Cause, Clock, Deferred, Duration, Effect, Exit, Fiber, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { applyMigration } from "../../src/apply/ApplyMigration.js"
import { exitCodeForError } from "../../src/cli/ExitCodes.js"
import { loadConfiguredMapping } from "../../src/cli/RunContext.js"
import { loadRunConfig, type RunConfig } from "../../src/config/RunConfig.js"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import { StateStore } from "../../src/state/StateStore.js"
import { PeachClient } from "../../src/target/PeachClient.js"
import { clockAhead, runCli } from "./e2e/CliInProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "./e2e/Expected.js"
import { requestsBetween, targetProblems, viewTarget, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// The apply lease is held, not just taken: renewed while the run works, and checked before each
// batch of writes. A run paused past its lease (SIGSTOP, a closed laptop lid, a long GC pause)
// that finds another run took over stops before any further write. In process: the pause is the
// run's clock jumping ahead while one of its creates is held back, as a process sees on waking.

const leaseName = "apply:legacy-csv"
const other = { runId: "run-that-took-over", pid: 4242, host: "other-host", command: "migrate (the other run)" }

/** The real clock plus an offset that the test moves, as a paused process finds it on waking; sleeps stay real. */
const movableClock = () => {
  const real = Clock.make()
  let offset = 0
  const now = () => real.unsafeCurrentTimeMillis() + offset
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    unsafeCurrentTimeNanos: () => BigInt(now()) * 1_000_000n,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
  return { clock, jump: (by: Duration.DurationInput) => void (offset += Duration.toMillis(by)) }
}

const workspace = (name: string, records: number, knobs: { latencyMs: number } = { latencyMs: 0 }) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox({ knobs })
    const dir = yield* makeTempDir(name)
    const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(records) })
    const configFile = writeCsvConfig({ dir, csv, targetUrl: sandbox.url, applyConcurrency: 1 })
    expect((yield* runCli(["plan", "--config", configFile])).exitCode).toBe(3)
    const config = yield* loadRunConfig(configFile).pipe(Effect.provide(NodeContext.layer))
    return { sandbox, config, planFile: path.join(dir, "out", "plan.json"), expected: expectedCsv({ records, csv }) }
  })

/** The run's client, with its `after`-th create held back (answered, not yet returned) until `resume`. */
const holdingBackCreate = (config: RunConfig, after: number, held: Deferred.Deferred<void>, resume: Deferred.Deferred<void>) =>
  Layer.effect(
    PeachClient,
    Effect.map(PeachClient, (client) => {
      let creates = 0
      return {
        ...client,
        createCase: (personId: string, body: Parameters<typeof client.createCase>[1]) =>
          client.createCase(personId, body).pipe(
            Effect.tap(() => (++creates === after ? Deferred.succeed(held, undefined).pipe(Effect.zipRight(Deferred.await(resume))) : Effect.void))
          )
      }
    })
  ).pipe(Layer.provide(PeachClient.layer(config.target)))

const apply = (config: RunConfig, planFile: string, leaseTtl?: Duration.DurationInput) =>
  Effect.gen(function*() {
    const { mapper } = yield* loadConfiguredMapping(config)
    return yield* applyMigration(config, mapper, planFile, { command: "apply", leaseTtl })
  }).pipe(Effect.provide(NodeContext.layer))

const stateOf = (config: RunConfig) => StateStore.layerSqlite({ filename: config.state })

const writesSince = (sandbox: Sandbox, before: Effect.Effect.Success<Sandbox["stats"]["snapshot"]>) =>
  Effect.map(sandbox.stats.snapshot, (after) => writeRequests(requestsBetween(before, after)))

describe("apply holds its lease", () => {
  it.scopedLive("a run paused past its lease, taken over meanwhile, stops on waking: 'lease lost to run …', exit 1, no further write", () =>
    Effect.gen(function*() {
      const { config, planFile, sandbox } = yield* workspace("lease-lost", 40)
      const held = yield* Deferred.make<void>()
      const resume = yield* Deferred.make<void>()
      const paused = movableClock()
      const running = yield* apply(config, planFile).pipe(
        Effect.provide(Layer.merge(holdingBackCreate(config, 5, held, resume), stateOf(config))),
        Effect.withClock(paused.clock),
        Effect.fork
      )
      // Held back, or ended before (which the assertions below then show).
      yield* Effect.raceFirst(Deferred.await(held), Fiber.await(running))

      // While it sleeps, its lease (60 s) expires and another run takes the job over.
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        yield* store.acquireLease({ name: leaseName, holder: other, ttl: "10 minutes" }).pipe(Effect.withClock(clockAhead(Duration.minutes(2))))
      }).pipe(Effect.provide(stateOf(config)))
      paused.jump(Duration.minutes(2))
      const before = yield* sandbox.stats.snapshot
      yield* Deferred.succeed(resume, undefined)
      const exit = yield* Fiber.await(running)

      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?.message).toContain("lease lost to run run-that-took-over")
      expect(error?.message).toContain("— nothing more was written")
      expect(exitCodeForError(error)).toBe(1)
      expect(yield* writesSince(sandbox, before)).toEqual({})
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        // The create answered before the pause is recorded; nothing after it was started.
        expect(yield* store.countByState("legacy-csv")).toMatchObject({ sent: 0, confirmed: 5 })
        expect(Option.map(yield* store.getLease(leaseName), (lease) => lease.holder.runId)).toEqual(Option.some(other.runId))
        expect((yield* store.listRuns({ limit: 5 })).map((run) => run.outcome)).toEqual(["failed"])
      }).pipe(Effect.provide(stateOf(config)))
    }), { timeout: 120_000 })

  it.scopedLive("a run longer than its lease keeps renewing it: no other run can take over while it works", () =>
    Effect.gen(function*() {
      // About 50 creates at 100 ms each: several times the 2-second lease.
      const { config, expected, planFile, sandbox } = yield* workspace("lease-renewed", 60, { latencyMs: 100 })
      const running = yield* apply(config, planFile, "2 seconds").pipe(
        Effect.provide(Layer.merge(PeachClient.layer(config.target), stateOf(config))),
        Effect.fork
      )
      const seen = yield* Effect.gen(function*() {
        const store = yield* StateStore
        const renewals = new Set<string>()
        let attempts = 0
        // Compete only once the run holds the lease (it loads the mapping first).
        while (running.unsafePoll() === null && Option.isNone(yield* store.getLease(leaseName))) yield* Effect.sleep("50 millis")
        while (running.unsafePoll() === null) {
          yield* Effect.sleep("250 millis")
          const lease = yield* store.getLease(leaseName)
          if (Option.isSome(lease)) renewals.add(lease.value.renewedAt)
          const taken = yield* Effect.either(store.acquireLease({ name: leaseName, holder: other, ttl: "10 minutes" }))
          if (running.unsafePoll() !== null) break
          attempts++
          expect(taken._tag === "Left" && taken.left._tag, `attempt ${attempts} to take the lease over`).toBe("LeaseHeld")
        }
        return { renewals: renewals.size, attempts }
      }).pipe(Effect.provide(stateOf(config)))
      const outcome = yield* Fiber.join(running)

      expect(outcome.counts).toMatchObject({ create: expected.created.length, reject: expected.rejected.length })
      expect(targetProblems(yield* viewTarget(sandbox), expected.created, { prefix: "legacy-" })).toEqual([])
      expect(seen.attempts).toBeGreaterThan(12)
      expect(seen.renewals).toBeGreaterThan(3)
    }), { timeout: 120_000 })

  it.scopedLive("plan and migrate wait for no one: while another run holds the job, they exit 1 naming it and leave its plan and reports alone", () =>
    Effect.gen(function*() {
      const { config, planFile, sandbox } = yield* workspace("plan-lease", 20)
      const outputs = ["plan.json", "report.md", "report.html"].map((name) => path.join(path.dirname(planFile), name))
      const before = outputs.map((file) => fs.readFileSync(file, "utf8"))
      yield* Effect.gen(function*() {
        yield* (yield* StateStore).acquireLease({ name: leaseName, holder: other, ttl: "10 minutes" })
      }).pipe(Effect.provide(StateStore.layerSqlite({ filename: config.state })))
      const requests = yield* sandbox.stats.snapshot
      for (const command of ["plan", "migrate"]) {
        const run = yield* runCli([command, "--config", config.file])
        expect(run.exitCode, `${command}: ${run.stderr}`).toBe(1)
        expect(run.stderr).toContain(`is held by run ${other.runId}`)
        expect(outputs.map((file) => fs.readFileSync(file, "utf8"))).toEqual(before)
      }
      expect(writeRequests(requestsBetween(requests, yield* sandbox.stats.snapshot))).toEqual({})
    }), { timeout: 120_000 })
})
