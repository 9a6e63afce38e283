import * as NodeContext from "@effect/platform-node/NodeContext"
import { FileSystem } from "@effect/platform/FileSystem"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { SqlClient } from "@effect/sql/SqlClient"
import { Cause, Context, Duration, Effect, Layer, Redacted } from "effect"
import * as path from "node:path"
import { type Checkpoints, makeCheckpoints } from "./Checkpoints.js"
import { type Ledger, makeLedger } from "./Ledger.js"
import { type Leases, makeLeases } from "./Leases.js"
import { migrate } from "./Migrations.js"
import { makeRunLog, type RunLog } from "./RunLog.js"
import { inOneTransaction } from "./StateSql.js"
import { StateStoreError } from "./StateStoreError.js"
import { makeSyncStates, type SyncStates } from "./SyncStates.js"

/** Where the CLI keeps its SQLite state unless told otherwise. */
export const defaultStatePath = ".casesync/state.db"

/** Everything casesync remembers between runs: the run log, the per-record ledger, source checkpoints and the apply lease. */
export interface StateStoreService extends RunLog, Ledger, Checkpoints, Leases, SyncStates {
  /**
   * Runs the store writes of `effect` as one transaction: all of them are kept or none is, whether
   * `effect` fails or the process dies inside it. For writes that only make sense together.
   */
  readonly atomically: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StateStoreError, R>
}

/** Options of the SQLite state store. */
export interface SqliteStateOptions {
  /** Database file (its directory is created if missing), or ":memory:". */
  readonly filename: string
  /** How long a statement waits for another process's write lock before failing with `Busy` (default 5 seconds). */
  readonly busyTimeout?: Duration.DurationInput | undefined
}

/** Options of the Postgres state store. */
export interface PgStateOptions {
  readonly url: string | Redacted.Redacted<string>
  /** Schema holding the tables, created if missing; lets several deployments or test runs share one database. */
  readonly schema?: string | undefined
}

/** Builds the store on the ambient SqlClient; the schema must already be migrated (the layers do that). */
export const make: Effect.Effect<StateStoreService, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient
  const [runs, ledger, checkpoints, leases, sync] = yield* Effect.all([makeRunLog, makeLedger, makeCheckpoints, makeLeases, makeSyncStates])
  const atomically = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | StateStoreError, R> =>
    inOneTransaction(sql, "committing a transaction")(effect)
  return { ...runs, ...ledger, ...checkpoints, ...leases, ...sync, atomically }
})

// == layers

/** A layer that failed to connect: a `Connect` error, unless it was only interrupted. */
export const connectError = (detail: string) => (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause)
    ? Layer.failCause(cause as Cause.Cause<never>)
    : Layer.fail(new StateStoreError({ reason: "Connect", detail, cause: Cause.squash(cause) }))

/** A migration that failed, as a `Migration` error. */
export const migrationError = (cause: unknown) =>
  new StateStoreError({ reason: "Migration", detail: "migrating the state schema", cause })

const layerSqlite = (options: SqliteStateOptions): Layer.Layer<StateStore, StateStoreError> => {
  const { filename } = options
  const busyMillis = Math.floor(Duration.toMillis(options.busyTimeout ?? Duration.seconds(5)))
  const store = Layer.effect(
    StateStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient
      // WAL (set by the client) lets readers run beside one writer; the busy timeout makes a second
      // process wait for the write lock (then see the lease as held) instead of failing with SQLITE_BUSY.
      yield* sql.unsafe(`PRAGMA busy_timeout = ${busyMillis}`).pipe(Effect.mapError(migrationError))
      yield* migrate(SqliteMigrator.run).pipe(Effect.mapError(migrationError), Effect.provide(NodeContext.layer))
      return yield* make
    })
  )
  const client = Layer.unwrapEffect(Effect.gen(function*() {
    if (filename !== ":memory:") {
      const fs = yield* FileSystem
      const file = path.resolve(filename)
      yield* fs.makeDirectory(path.dirname(file), { recursive: true })
      // The ledger holds record contents: owner-only. SQLite gives the -wal and -shm files the
      // database file's mode, so creating it 0600 first covers them; older files are tightened.
      yield* Effect.scoped(fs.open(file, { flag: "a", mode: 0o600 }))
      for (const owned of [file, `${file}-wal`, `${file}-shm`]) {
        if (yield* fs.exists(owned)) yield* fs.chmod(owned, 0o600)
      }
    }
    return SqliteClient.layer({ filename })
  })).pipe(
    Layer.provide(NodeContext.layer),
    Layer.catchAllCause(connectError(`opening SQLite state at ${filename}`))
  )
  return Layer.provide(store, client)
}

// pg and @effect/sql-pg are loaded only for a PostgreSQL store: a run on SQLite (the default)
// does not parse and evaluate them at every start.
const layerPg = (options: PgStateOptions): Layer.Layer<StateStore, StateStoreError> =>
  Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./PgStateStore.js")), (pg) => pg.layerPg(options)))

const layerFromUrl = (urlOrPath: string): Layer.Layer<StateStore, StateStoreError> => {
  if (!/^postgres(ql)?:\/\//i.test(urlOrPath)) return layerSqlite({ filename: urlOrPath })
  // `?schema=name` picks the schema; it is ours, not a libpq parameter, so it is taken off the URL.
  const url = new URL(urlOrPath)
  const schema = url.searchParams.get("schema") ?? undefined
  url.searchParams.delete("schema")
  return layerPg({ url: Redacted.make(url.href), schema })
}

/** The state store service; pick a layer for the backing database. */
export class StateStore extends Context.Tag("casesync/StateStore")<StateStore, StateStoreService>() {
  /** A store in one SQLite file (WAL, busy timeout), migrated on open. */
  static readonly layerSqlite = layerSqlite
  /** A store in a Postgres database (optionally in its own schema, created if missing), migrated on open. */
  static readonly layerPg = layerPg
  /** `postgres://…[?schema=name]` opens the Postgres store, anything else is a SQLite file path. */
  static readonly layerFromUrl = layerFromUrl
}
