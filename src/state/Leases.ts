import { SqlClient } from "@effect/sql/SqlClient"
import { Clock, Duration, Effect, Option, Ref, Schema, type Scope } from "effect"
import { decodeRows, orStateError } from "./StateSql.js"
import { LeaseHeld, LeaseHolder, StateStoreError } from "./StateStoreError.js"

/** A held (or expired but not yet taken over) lease: who holds it and until when. */
export const Lease = Schema.Struct({
  name: Schema.String,
  holder: LeaseHolder,
  acquiredAt: Schema.String,
  renewedAt: Schema.String,
  expiresAt: Schema.String
})
export type Lease = typeof Lease.Type

/** What acquiring a lease needs: its name, who asks (identified by `runId`), and how long it lasts unless renewed. */
export interface AcquireLease {
  readonly name: string
  readonly holder: LeaseHolder
  readonly ttl: Duration.DurationInput
}

/** A lease held for the lifetime of a scope, renewed in the background. */
export interface HeldLease {
  /** The lease as last acquired or renewed. */
  readonly current: Effect.Effect<Lease>
  /**
   * Fails if the lease was lost: found taken (LeaseHeld) or gone by the background renewal, or, once
   * expired unrenewed, by a renewal attempted on the spot. Cheap while the lease is fresh; call before each write batch.
   */
  readonly ensureHeld: Effect.Effect<void, LeaseHeld | StateStoreError>
}

/** The lease operations of the state store: at most one run applies on a state at a time. */
export interface Leases {
  /**
   * Takes the lease if it is free, expired, or already held by the same runId (then it is extended),
   * in one atomic statement; otherwise fails with LeaseHeld naming the holder and the expiry.
   */
  readonly acquireLease: (options: AcquireLease) => Effect.Effect<Lease, LeaseHeld | StateStoreError>
  /** Extends a lease this run holds; LeaseHeld if another run took it over, `LeaseLost` if it is gone. */
  readonly renewLease: (options: {
    readonly name: string
    readonly runId: string
    readonly ttl: Duration.DurationInput
  }) => Effect.Effect<Lease, LeaseHeld | StateStoreError>
  /** Gives the lease up if this run holds it; true if it did. */
  readonly releaseLease: (options: { readonly name: string; readonly runId: string }) => Effect.Effect<
    boolean,
    StateStoreError
  >
  /** The lease row, if any (it may be expired). */
  readonly getLease: (name: string) => Effect.Effect<Option.Option<Lease>, StateStoreError>
  /** Acquires the lease for the scope, renews it every ttl/3 in the background, and releases it when the scope closes. */
  readonly withLease: (options: AcquireLease) => Effect.Effect<HeldLease, LeaseHeld | StateStoreError, Scope.Scope>
}

// == rows

const LeaseRow = Schema.Struct({
  name: Schema.String,
  runId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("run_id")),
  pid: Schema.Number,
  host: Schema.String,
  command: Schema.String,
  acquiredAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("acquired_at")),
  renewedAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("renewed_at")),
  expiresAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("expires_at"))
})

const decodeLeaseRows = decodeRows(LeaseRow, "leases")

const decodeLease = (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeLeaseRows(rows), (leases): Option.Option<Lease> =>
    Option.map(Option.fromNullable(leases[0]), (row) => ({
      name: row.name,
      holder: { runId: row.runId, pid: row.pid, host: row.host, command: row.command },
      acquiredAt: row.acquiredAt,
      renewedAt: row.renewedAt,
      expiresAt: row.expiresAt
    })))

const leaseHeld = (lease: Lease) =>
  new LeaseHeld({ name: lease.name, holder: lease.holder, acquiredAt: lease.acquiredAt, expiresAt: lease.expiresAt })

const leaseWindow = (ttl: Duration.DurationInput) =>
  Effect.map(Clock.currentTimeMillis, (now) => ({
    now: new Date(now).toISOString(),
    expiresAt: new Date(now + Duration.toMillis(ttl)).toISOString()
  }))

/** Builds the lease operations on the ambient SqlClient (tables created by the state-store migrations). */
export const makeLeases: Effect.Effect<Leases, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient

  const getLease = Effect.fn("StateStore.getLease")(function*(name: string) {
    return yield* sql`SELECT * FROM leases WHERE name = ${name}`.pipe(
      orStateError(`reading lease ${name}`),
      Effect.flatMap(decodeLease)
    )
  })

  const acquireLease = Effect.fn("StateStore.acquireLease")(function*(options: AcquireLease) {
    const { holder, name } = options
    // A lease released between our upsert and our read shows as absent: try again, a few times at most.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { expiresAt, now } = yield* leaseWindow(options.ttl)
      // One statement, so two racing acquirers are serialised by the database: Postgres row-locks the
      // conflicting row and re-checks the WHERE; SQLite takes its write lock (waiting up to the busy timeout).
      const taken = yield* sql`INSERT INTO leases ${
        sql.insert({
          name,
          run_id: holder.runId,
          pid: holder.pid,
          host: holder.host,
          command: holder.command,
          acquired_at: now,
          renewed_at: now,
          expires_at: expiresAt
        })
      } ON CONFLICT (name) DO UPDATE SET
          run_id = excluded.run_id, pid = excluded.pid, host = excluded.host, command = excluded.command,
          acquired_at = CASE WHEN leases.run_id = excluded.run_id THEN leases.acquired_at ELSE excluded.acquired_at END,
          renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
        WHERE leases.expires_at <= excluded.acquired_at OR leases.run_id = excluded.run_id
        RETURNING *`.pipe(orStateError(`acquiring lease ${name}`), Effect.flatMap(decodeLease))
      if (Option.isSome(taken)) return taken.value
      const current = yield* getLease(name)
      if (Option.isSome(current)) return yield* leaseHeld(current.value)
    }
    return yield* new StateStoreError({ reason: "Busy", detail: `acquiring lease ${name}: it kept changing hands` })
  })

  const renewLease = Effect.fn("StateStore.renewLease")(
    function*(options: { readonly name: string; readonly runId: string; readonly ttl: Duration.DurationInput }) {
      const { expiresAt, now } = yield* leaseWindow(options.ttl)
      const renewed = yield* sql`UPDATE leases SET renewed_at = ${now}, expires_at = ${expiresAt}
        WHERE name = ${options.name} AND run_id = ${options.runId} RETURNING *`.pipe(
        orStateError(`renewing lease ${options.name}`),
        Effect.flatMap(decodeLease)
      )
      if (Option.isSome(renewed)) return renewed.value
      const current = yield* getLease(options.name)
      if (Option.isSome(current)) return yield* leaseHeld(current.value)
      return yield* new StateStoreError({
        reason: "LeaseLost",
        detail: `renewing lease ${options.name}: run ${options.runId} no longer holds it`
      })
    }
  )

  const releaseLease = Effect.fn("StateStore.releaseLease")(
    function*(options: { readonly name: string; readonly runId: string }) {
      const rows = yield* sql`DELETE FROM leases WHERE name = ${options.name} AND run_id = ${options.runId}
        RETURNING name`.pipe(orStateError(`releasing lease ${options.name}`))
      return rows.length > 0
    }
  )

  const withLease = Effect.fn("StateStore.withLease")(function*(options: AcquireLease) {
    const { name, holder: { runId }, ttl } = options
    const acquired = yield* Effect.acquireRelease(acquireLease(options), () =>
      releaseLease({ name, runId }).pipe(
        Effect.catchAll((error) => Effect.logWarning(`Could not release lease ${name}; it will expire`, error))
      ))
    const current = yield* Ref.make(acquired)
    const lost = yield* Ref.make(Option.none<LeaseHeld | StateStoreError>())

    // A failed renewal that is not a loss (e.g. a busy database) is retried at the next tick;
    // ensureHeld still notices if the lease expires meanwhile.
    const renewOnce = renewLease({ name, runId, ttl }).pipe(
      Effect.tap((lease) => Ref.set(current, lease)),
      Effect.as(true),
      Effect.catchAll((error) =>
        error._tag === "LeaseHeld" || error.reason === "LeaseLost"
          ? Effect.as(Ref.set(lost, Option.some(error)), false)
          : Effect.as(Effect.logWarning(`Renewing lease ${name} failed; retrying`, error), true)
      )
    )
    const every = Duration.divide(Duration.decode(ttl), 3).pipe(Option.getOrElse(() => Duration.decode(ttl)))
    yield* Effect.sleep(every).pipe(
      Effect.zipRight(renewOnce),
      Effect.repeat({ while: (keepGoing) => keepGoing }),
      Effect.forkScoped
    )

    const ensureHeld = Effect.gen(function*() {
      const loss = yield* Ref.get(lost)
      if (Option.isSome(loss)) return yield* loss.value
      const lease = yield* Ref.get(current)
      const now = new Date(yield* Clock.currentTimeMillis).toISOString()
      if (lease.expiresAt > now) return
      // Expired unrenewed (the process was paused, or renewals kept failing): renewing now, in one
      // statement, tells whether another run took it meanwhile (LeaseHeld names it) or nobody did.
      const renewed = yield* renewLease({ name, runId, ttl }).pipe(
        Effect.tapError((error) =>
          error._tag === "LeaseHeld" || error.reason === "LeaseLost" ? Ref.set(lost, Option.some(error)) : Effect.void
        )
      )
      yield* Ref.set(current, renewed)
    })

    return { current: Ref.get(current), ensureHeld } satisfies HeldLease
  })

  return { acquireLease, renewLease, releaseLease, getLease, withLease }
})
