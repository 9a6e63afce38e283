import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** Name of the table that records which state-store migrations have run. */
export const migrationsTable = "casesync_migrations"

// == dialect differences (the only place they live)

/**
 * Column type for keys and ISO timestamps: Postgres gets the "C" collation so ordering and
 * comparisons are bytewise, exactly like SQLite's default, and keyset paging and lease-expiry
 * comparisons behave identically on both.
 */
const keyText = (sql: SqlClient) =>
  sql.onDialectOrElse({
    pg: () => sql.literal(`TEXT COLLATE "C"`),
    orElse: () => sql.literal("TEXT")
  })

/**
 * Serialises concurrent migrators (two processes opening a fresh store at once). Postgres: an
 * advisory lock scoped to the transaction. SQLite: the transaction's first statement is a write, so
 * it waits on the database write lock (busy timeout) before the migrator reads anything.
 * The migrations table is created up front, in the same shape the Migrator would, so that the
 * Migrator's own "does it exist" probe never fails inside the transaction (which would abort it on Postgres).
 */
const withMigrationLock = <A, E, R>(
  schema: string | undefined,
  migrate: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient
    return yield* sql.onDialectOrElse({
      pg: () =>
        sql.withTransaction(Effect.gen(function*() {
          yield* sql`SELECT pg_advisory_xact_lock(hashtext(${`casesync-migrate:${schema ?? ""}`}))`
          if (schema !== undefined) yield* sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`
          yield* sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
            migration_id integer primary key,
            created_at timestamp with time zone not null default now(),
            name text not null
          )`
          return yield* migrate
        })),
      orElse: () =>
        Effect.gen(function*() {
          yield* sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
            migration_id integer PRIMARY KEY NOT NULL,
            created_at datetime NOT NULL DEFAULT current_timestamp,
            name VARCHAR(255) NOT NULL
          )`
          return yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`DELETE FROM ${sql(migrationsTable)} WHERE migration_id < 0`
            return yield* migrate
          }))
        })
    })
  })

// == migrations: written once for both dialects

const createStateTables = Effect.gen(function*() {
  const sql = yield* SqlClient
  const key = keyText(sql)
  yield* sql`CREATE TABLE runs (
    run_id ${key} PRIMARY KEY,
    command TEXT NOT NULL,
    config_digest TEXT NOT NULL,
    started_at ${key} NOT NULL,
    ended_at ${key} NULL,
    outcome TEXT NULL CHECK (outcome IN ('succeeded', 'failed', 'interrupted')),
    counts TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX runs_started_at ON runs (started_at)`
  yield* sql`CREATE TABLE ledger (
    job ${key} NOT NULL,
    source_key ${key} NOT NULL,
    external_id ${key} NOT NULL,
    borrower_id TEXT NULL,
    case_id TEXT NULL,
    write_state ${key} NOT NULL CHECK (write_state IN ('planned', 'sent', 'confirmed', 'rejected')),
    action TEXT NULL CHECK (action IN ('create', 'update', 'unchanged', 'reject', 'conflict')),
    snapshot TEXT NULL,
    target_updated_at TEXT NULL,
    reject_reason TEXT NULL,
    run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job, source_key)
  )`
  yield* sql`CREATE UNIQUE INDEX ledger_job_external_id ON ledger (job, external_id)`
  yield* sql`CREATE INDEX ledger_job_write_state ON ledger (job, write_state, source_key)`
  yield* sql`CREATE TABLE checkpoints (
    job ${key} NOT NULL,
    name ${key} NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job, name)
  )`
  yield* sql`CREATE TABLE leases (
    name ${key} PRIMARY KEY,
    run_id ${key} NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    command TEXT NOT NULL,
    acquired_at ${key} NOT NULL,
    renewed_at ${key} NOT NULL,
    expires_at ${key} NOT NULL
  )`
})

/**
 * Each ledger row records the source location of the record that owns it, so a transition made for
 * another record with the same key (a duplicate in the source) can be told apart and refused.
 */
const ledgerOwnerLocation = Effect.gen(function*() {
  const sql = yield* SqlClient
  yield* sql`ALTER TABLE ledger ADD COLUMN location TEXT NULL`
})

/**
 * Two-way sync: per record and owned field, the bases per side (JSON, in each side's terms)
 * and the last writes for the war guard; the conflict queue; and a per-side write journal
 * (`sent` before a write leaves, `confirmed` on its answer) so a crash mid-cycle leaves evidence.
 */
const syncState = Effect.gen(function*() {
  const sql = yield* SqlClient
  const key = keyText(sql)
  yield* sql`CREATE TABLE sync_fields (
    job ${key} NOT NULL,
    source_key ${key} NOT NULL,
    field ${key} NOT NULL,
    base TEXT NULL,
    history TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job, source_key, field)
  )`
  yield* sql`CREATE TABLE sync_conflicts (
    job ${key} NOT NULL,
    id ${key} NOT NULL,
    source_key ${key} NOT NULL,
    field ${key} NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    crm TEXT NOT NULL,
    target TEXT NOT NULL,
    base TEXT NULL,
    since INTEGER NOT NULL,
    resolution TEXT NULL,
    opened_at ${key} NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job, id)
  )`
  yield* sql`CREATE UNIQUE INDEX sync_conflicts_field ON sync_conflicts (job, source_key, field)`
  yield* sql`CREATE TABLE sync_writes (
    job ${key} NOT NULL,
    source_key ${key} NOT NULL,
    side ${key} NOT NULL CHECK (side IN ('crm', 'target')),
    write_state ${key} NOT NULL CHECK (write_state IN ('sent', 'confirmed')),
    body TEXT NOT NULL,
    run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job, source_key, side)
  )`
})

/**
 * A person's word on a sync write that never heard back (`casesync sync resolve-create`): the id
 * of the record it made, kept beside the journalled write until the next cycle links it.
 */
const syncWriteResolution = Effect.gen(function*() {
  const sql = yield* SqlClient
  yield* sql`ALTER TABLE sync_writes ADD COLUMN resolved_as TEXT NULL`
})

/** The state store's migrations, in order; append new ones, never edit a shipped one. */
export const loader: Migrator.Loader = Migrator.fromRecord({
  "0001_create_state_tables": createStateTables,
  "0002_ledger_owner_location": ledgerOwnerLocation,
  "0003_sync_state": syncState,
  "0004_sync_write_resolution": syncWriteResolution
})

/** Runs the given dialect's migrator (SqliteMigrator.run / PgMigrator.run) over `loader`, serialised against other processes. */
export const migrate = <E, R>(
  run: (options: Migrator.MigratorOptions) => Effect.Effect<unknown, E, R>,
  schema?: string
): Effect.Effect<void, E | SqlError, R | SqlClient> =>
  Effect.asVoid(withMigrationLock(schema, run({ loader, table: migrationsTable })))
