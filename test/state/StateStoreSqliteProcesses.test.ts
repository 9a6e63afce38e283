// SQLite's locking only shows between OS processes: these tests start real ones on one state file.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { FileSystem } from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Schema, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { StateStore } from "../../src/state/StateStore.js"

const fixture = fileURLToPath(new URL("./fixtures/acquireLease.ts", import.meta.url))

const Outcome = Schema.parseJson(Schema.Struct({
  outcome: Schema.String,
  runId: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
}))

/** A child process running the fixture: `ready` once its store is open, `go` releases it, `result` is what it printed. */
interface Contender {
  readonly ready: Effect.Effect<void, Error>
  readonly go: Effect.Effect<void>
  readonly result: Effect.Effect<typeof Outcome.Type, unknown>
}

const startContender = (filename: string, runId: string): Effect.Effect<Contender, never, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--import", "tsx", fixture, filename, runId], { stdio: ["pipe", "pipe", "inherit"] })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.kill())
    )
    const lines: Array<string> = []
    const waiting: Array<() => void> = []
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line)
      waiting.splice(0).forEach((wake) => wake())
    })
    const line = (index: number) =>
      Effect.tryPromise(async () => {
        while (lines.length <= index) {
          const next = new Promise<void>((resolve) => waiting.push(resolve))
          const code = await Promise.race([next.then(() => undefined), exited])
          if (code !== undefined && lines.length <= index) throw new Error(`${runId} exited (${code}) early`)
        }
        return lines[index]
      })
    return {
      ready: Effect.flatMap(line(0), (l) => l === "ready" ? Effect.void : Effect.fail(new Error(`${runId}: ${l}`))),
      go: Effect.sync(() => child.stdin.end("go\n")),
      result: Effect.flatMap(line(1), Schema.decode(Outcome))
    }
  })

const tempStateFile = Effect.gen(function*() {
  const fs = yield* FileSystem
  return path.join(yield* fs.makeTempDirectoryScoped({ prefix: "casesync-procs-" }), "state.db")
}).pipe(Effect.provide(NodeFileSystem.layer))

// Live clock: the children use the real time, so the lease times here must be real too.
describe("StateStore on SQLite across processes", () => {
  it.scopedLive("a second process sees LeaseHeld naming this process, not SQLITE_BUSY", () =>
    Effect.gen(function*() {
      const filename = yield* tempStateFile
      const store = yield* Effect.map(Layer.build(StateStore.layerSqlite({ filename })), Context.get(StateStore))
      yield* store.acquireLease({
        name: "apply",
        holder: { runId: "parent-run", pid: process.pid, host: "parent-host", command: "casesync apply" },
        ttl: "10 minutes"
      })
      const child = yield* startContender(filename, "child-run")
      yield* child.ready
      yield* child.go
      const result = yield* child.result
      expect(result.outcome).toBe("LeaseHeld")
      expect(result.message).toContain("parent-run")
      expect(result.message).toContain(`pid ${process.pid} on parent-host`)
    }), { timeout: 30_000 })

  it.scopedLive("processes racing on a fresh state file: all open it, exactly one takes the lease", () =>
    Effect.gen(function*() {
      const filename = yield* tempStateFile
      const contenders = yield* Effect.forEach(["run-1", "run-2", "run-3", "run-4"], (runId) =>
        startContender(filename, runId))
      // All four have migrated the same fresh file; now release them together.
      yield* Effect.forEach(contenders, (c) => c.ready, { concurrency: "unbounded" })
      yield* Effect.forEach(contenders, (c) => c.go)
      const results = yield* Effect.forEach(contenders, (c) => c.result, { concurrency: "unbounded" })
      expect(results.map((r) => r.outcome).sort()).toEqual(["LeaseHeld", "LeaseHeld", "LeaseHeld", "acquired"])
      const winner = results.find((r) => r.outcome === "acquired")?.runId
      const store = yield* Effect.map(Layer.build(StateStore.layerSqlite({ filename })), Context.get(StateStore))
      const lease = yield* store.getLease("apply")
      expect(Option.map(lease, (l) => l.holder.runId)).toEqual(Option.some(winner))
    }), { timeout: 60_000 })
})
