import { it } from "@effect/vitest"
import { Effect } from "effect"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect } from "vitest"
import { startCli } from "../apply/e2e/CliProcess.js"
import { viewTarget } from "../apply/e2e/TargetCheck.js"
import { migratedJob, type SyncJob } from "./e2e/SyncWorkspace.js"

// Crash safety of a sync cycle, with real processes: `node bin/casesync.js sync --once` is
// SIGKILLed at a random instant while it writes edits made on both sides, then a cycle runs
// in-process. Whatever instant the kill hit, both sides must hold every case exactly once, every
// edit must have reached the other side, and one more cycle must write nothing.
// Replay with SYNC_CRASH_SEED=<seed>; SYNC_CRASH_TRIALS lowers the count (the suite runs 20).

const trials = Number(process.env["SYNC_CRASH_TRIALS"] ?? 20)
const seed = Number(process.env["SYNC_CRASH_SEED"] ?? 20261201)
const perSide = 8

/** mulberry32, as in the migration's crash test, so the kill instants can be replayed. */
const prng = (state: number) => () => {
  state = (state + 0x6D2B79F5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const nextPriority: Record<string, string> = { low: "medium", medium: "high", high: "low" }

/** Edits `perSide` CRM priorities and `perSide` target descriptions; returns what each side must end with. */
const editBothSides = (job: SyncJob, ids: ReadonlyArray<string>, trial: number) =>
  Effect.gen(function*() {
    const crmEdits = new Map<string, string>()
    const targetEdits = new Map<string, string>()
    for (const id of ids.slice(0, perSide)) {
      const now = (yield* job.crmCase(id)).priority as string
      crmEdits.set(id, nextPriority[now] ?? "low")
      yield* job.crmEdit(id, { priority: crmEdits.get(id) })
    }
    for (const id of ids.slice(perSide, 2 * perSide)) {
      const kase = yield* job.targetCase(id)
      targetEdits.set(id, `trial ${trial}: note for ${id}`)
      yield* job.targetEdit(id, { metaData: { ...kase.metaData, description: targetEdits.get(id) } })
    }
    return { crmEdits, targetEdits }
  })

describe("casesync sync killed with SIGKILL at random instants, then a cycle", () => {
  it.scopedLive(`converges with no duplicate, no lost edit and no repeated write (${trials} trials, seed ${seed})`, () =>
    Effect.gen(function*() {
      const job = yield* migratedJob()
      yield* job.sandbox.knobs.set({ latencyMs: 5, latencyJitterMs: 15 })
      const random = prng(seed)
      const ids = (yield* viewTarget(job.sandbox)).cases.flatMap((c) => c.externalId?.startsWith("khoros-") ? [c.externalId.slice(7)] : [])
      expect(ids.length).toBe(38)

      // One uninterrupted run in a child like the ones we kill: it must work, and it times the cycle.
      yield* editBothSides(job, ids, 0)
      const timed = startCli(["sync", "--once", "--config", job.config])
      const whole = yield* Effect.promise(() => timed.exited)
      expect(whole.stdout).toMatch(/wrote target 8, crm 8/)
      const total = whole.millis

      for (let trial = 1; trial <= trials; trial++) {
        const order = [...ids].sort(() => random() - 0.5)
        const { crmEdits, targetEdits } = yield* editBothSides(job, order, trial)
        const killAt = ((trial - 1 + random()) / trials) * total
        const running = startCli(["sync", "--once", "--config", job.config])
        yield* Effect.promise(() => sleep(killAt))
        running.child.kill("SIGKILL")
        yield* Effect.promise(() => running.exited)

        const converge = yield* job.cycle()
        const where = `trial ${trial} (kill at ${Math.round(killAt)} of ${Math.round(total)} ms, seed ${seed})`
        expect(converge.line.conflictFields, `${where}\n${converge.result.stdout}`).toBe(0)
        const view = yield* viewTarget(job.sandbox)
        const externalIds = view.cases.flatMap((c) => c.externalId?.startsWith("khoros-") ? [c.externalId] : [])
        expect(externalIds.length, where).toBe(38)
        expect(new Set(externalIds).size, where).toBe(38)
        expect((yield* job.sandbox.stats.snapshot).byEndpoint["POST /crm/case"], where).toBeUndefined()
        for (const [id, priority] of crmEdits) {
          expect((yield* job.targetCase(id)).customFields?.["crmPriority"], `${where}: ${id}`).toBe(priority)
        }
        for (const [id, description] of targetEdits) {
          expect((yield* job.crmCase(id)).description, `${where}: ${id}`).toBe(description)
        }
        const quiet = yield* job.cycle()
        expect(quiet.writes, where).toEqual({})
      }
    }), { timeout: 600_000 })
})
