import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { FileSystem } from "@effect/platform/FileSystem"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import * as path from "node:path"
import { StateStore } from "../../src/state/StateStore.js"
import { type FreshDatabase, stateStoreContract } from "./StateStoreContract.js"

// == SQLite: a real file in a scoped temporary directory (in a sub-directory the store must create)

const freshSqlite = Effect.gen(function*() {
  const fs = yield* FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "casesync-state-" })
  const filename = path.join(dir, "nested", "state.db")
  return { open: () => StateStore.layerSqlite({ filename }) } satisfies FreshDatabase
}).pipe(Effect.provide(NodeFileSystem.layer))

stateStoreContract("StateStore contract (SQLite)", freshSqlite)

// == PostgreSQL: a fresh random schema per test, dropped afterwards

const pgUrl = process.env.CASESYNC_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const withPg = <A, E>(f: (sql: SqlClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient, f).pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(pgUrl), connectTimeout: "3 seconds" }))
  )

const freshPg = Effect.gen(function*() {
  const schema = `casesync_test_${randomUUID().replaceAll("-", "")}`
  yield* Effect.addFinalizer(() =>
    withPg((sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`).pipe(
      Effect.catchAll((error) => Effect.logWarning(`could not drop test schema ${schema}`, error))
    )
  )
  return { open: () => StateStore.layerPg({ url: pgUrl, schema }) } satisfies FreshDatabase
})

const pgProblem = await Effect.runPromise(
  withPg((sql) => sql`SELECT 1`).pipe(
    Effect.as(Option.none<string>()),
    Effect.catchAllCause((cause) => Effect.succeed(Option.some(String(cause))))
  )
)

if (Option.isNone(pgProblem)) {
  stateStoreContract("StateStore contract (PostgreSQL)", freshPg)
} else if (process.env.CI) {
  describe("StateStore contract (PostgreSQL)", () => {
    it("needs PostgreSQL, which CI provides", () => {
      throw new Error(`PostgreSQL is unreachable at ${pgUrl} (${pgProblem.value}); CI must run the contract on it`)
    })
  })
} else {
  console.warn(
    `Skipping the PostgreSQL state store contract: ${pgUrl} is unreachable (${pgProblem.value}). ` +
      `Start PostgreSQL or set CASESYNC_TEST_PG_URL to run it.`
  )
  describe.skip("StateStore contract (PostgreSQL)", () => {
    it("needs PostgreSQL", () => {})
  })
}

// == layer selection and layer-level behaviour

describe("StateStore layers", () => {
  it.scoped("layerFromUrl opens a SQLite file for a path and reports a bad postgres URL as Connect", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const filename = path.join(dir, "a", "b", "state.db")
      const store = yield* Effect.map(Layer.build(StateStore.layerFromUrl(filename)), Context.get(StateStore))
      yield* store.putCheckpoint("job", "cp", { n: 1 })
      expect(yield* fs.exists(filename)).toBe(true)
      // WAL mode: readers do not block the writer, and the log sits beside the database while open.
      expect(yield* fs.exists(`${filename}-wal`)).toBe(true)
      const bad = yield* Effect.flip(Layer.build(StateStore.layerPg({ url: pgUrl, schema: "Not-Valid" })))
      expect(bad.reason).toBe("Connect")
      expect(bad.message).toContain("schema name")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("layerSqlite accepts :memory: for tests that need no file", () =>
    Effect.gen(function*() {
      const store = yield* Effect.map(Layer.build(StateStore.layerSqlite({ filename: ":memory:" })), Context.get(StateStore))
      yield* store.recordPlanned([{ job: "j", sourceKey: "k", externalId: "e", location: "cases.csv:2", action: "create", runId: "r" }])
      expect(yield* store.countByState("j")).toEqual({ planned: 1, sent: 0, confirmed: 0, rejected: 0 })
    }))

  it.scoped.skipIf(Option.isSome(pgProblem))("layerFromUrl takes ?schema= off a postgres URL and uses it", () =>
    Effect.gen(function*() {
      const schema = `casesync_test_${randomUUID().replaceAll("-", "")}`
      yield* Effect.addFinalizer(() =>
        withPg((sql) => sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`).pipe(Effect.orDie)
      )
      const store = yield* Effect.map(
        Layer.build(StateStore.layerFromUrl(`${pgUrl}?schema=${schema}`)),
        Context.get(StateStore)
      )
      yield* store.startRun({ runId: "r1", command: "plan", configDigest: "d" })
      const rows = yield* withPg((sql) => sql<{ run_id: string }>`SELECT run_id FROM ${sql(schema)}.runs`)
      expect(rows.map((r) => r.run_id)).toEqual(["r1"])
    }))

  it.scoped("an unreachable postgres fails with a Connect error that names the server but not the password", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(StateStore.layerPg({ url: "postgres://someone:secret@127.0.0.1:1/nowhere" }))
      )
      expect(error.reason).toBe("Connect")
      expect(error.message).toContain("127.0.0.1:1/nowhere")
      expect(error.message).not.toContain("secret")
    }), { timeout: 20_000 })
})
