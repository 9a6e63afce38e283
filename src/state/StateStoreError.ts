import { Schema } from "effect"

/** Why a state-store operation failed; callers branch on it (e.g. `Busy` is worth a retry, `Duplicate` is not). */
export const StateStoreErrorReason = Schema.Literal(
  "Connect",
  "Migration",
  "Query",
  "Busy",
  "Duplicate",
  "NotFound",
  "InvalidTransition",
  "NotOwner",
  "Decode",
  "LeaseLost"
)
export type StateStoreErrorReason = typeof StateStoreErrorReason.Type

const hints: Record<StateStoreErrorReason, string> = {
  Connect: "check the state store location (file path or postgres URL) and that it is reachable",
  Migration: "the state schema could not be brought up to date; check the database permissions and version",
  Query: "the state store rejected a statement",
  Busy: "another process held the database lock longer than the busy timeout; retry, or stop the other process",
  Duplicate: "a row with the same key already exists",
  NotFound: "no such row in the state store",
  InvalidTransition: "the ledger row is not in a state that allows this write",
  NotOwner: "the ledger row belongs to another source record with the same key; only that record's plan item changes it",
  Decode: "a stored row did not have the expected shape; the state store may have been written by another version",
  LeaseLost: "the lease is no longer held by this run; stop writing and start a new run"
}

/** Any failure of the state store, with the reason to branch on, what was being done, and the underlying cause (usually a SqlError). */
export class StateStoreError extends Schema.TaggedError<StateStoreError>()("StateStoreError", {
  reason: StateStoreErrorReason,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `State store: ${this.detail} (${this.reason}: ${hints[this.reason]})`
  }
}

/** Who holds a lease: enough to find the process (pid on host) and the run in the run log. */
export const LeaseHolder = Schema.Struct({
  runId: Schema.String,
  pid: Schema.Number,
  host: Schema.String,
  command: Schema.String
})
export type LeaseHolder = typeof LeaseHolder.Type

/** Another run holds the lease; the message says who, since when, and when it can be taken over. */
export class LeaseHeld extends Schema.TaggedError<LeaseHeld>()("LeaseHeld", {
  name: Schema.String,
  holder: LeaseHolder,
  acquiredAt: Schema.String,
  expiresAt: Schema.String
}) {
  override get message(): string {
    const h = this.holder
    return `Lease "${this.name}" is held by run ${h.runId} ("${h.command}", pid ${h.pid} on ${h.host}) ` +
      `since ${this.acquiredAt}; it expires at ${this.expiresAt} unless renewed. ` +
      `Wait for that run to finish, or, if it crashed, retry after ${this.expiresAt}.`
  }
}

// == classifying driver errors

const codeOf = (cause: unknown): string | undefined => {
  // SqlError wraps the driver error in `cause`; the driver error carries a `code`.
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** Wraps a SqlError (or any driver failure) as a StateStoreError, classifying unique violations and lock time-outs. */
export const fromSqlError = (detail: string) => (cause: unknown): StateStoreError => {
  const code = codeOf(cause)
  const reason: StateStoreErrorReason = code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" ||
      code === "SQLITE_CONSTRAINT_PRIMARYKEY"
    ? "Duplicate"
    : code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || code === "55P03")
    ? "Busy"
    : "Query"
  return new StateStoreError({ reason, detail, cause })
}
