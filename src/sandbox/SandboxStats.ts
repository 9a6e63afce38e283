import { Context, Effect, Layer, Ref, Schema } from "effect"

/** Status label of a request whose connection the sandbox destroyed instead of answering. */
export const DROPPED = "dropped"

/** Counts of one endpoint (method + route template, e.g. `POST /people/:personId/cases`). */
export const EndpointStats = Schema.Struct({
  total: Schema.Int,
  /** By HTTP status code (as a string) or `dropped`. */
  byStatus: Schema.Record({ key: Schema.String, value: Schema.Int })
})
export type EndpointStats = typeof EndpointStats.Type

/** What `GET /_sandbox/stats` returns: API requests counted by endpoint and by status. */
export const RequestStats = Schema.Struct({
  total: Schema.Int,
  byEndpoint: Schema.Record({ key: Schema.String, value: EndpointStats }),
  byStatus: Schema.Record({ key: Schema.String, value: Schema.Int }),
  /** Requests whose change was committed before their connection was dropped (`commitThenDropRate`). */
  committedThenDropped: Schema.Int
})
export type RequestStats = typeof RequestStats.Type

const empty: RequestStats = { total: 0, byEndpoint: {}, byStatus: {}, committedThenDropped: 0 }

const bump = (counts: Readonly<Record<string, number>>, key: string): Record<string, number> => ({
  ...counts,
  [key]: (counts[key] ?? 0) + 1
})

/**
 * Request counters of a running sandbox, so tests and benchmarks can assert how many
 * calls of each kind a client made (retries included) without a proxy in between.
 */
export class SandboxStats extends Context.Tag("casesync/sandbox/SandboxStats")<
  SandboxStats,
  {
    /** Counts one finished request; `status` is the HTTP status or `dropped`. */
    readonly record: (endpoint: string, status: number | typeof DROPPED, committed?: boolean) => Effect.Effect<void>
    readonly snapshot: Effect.Effect<RequestStats>
    readonly reset: Effect.Effect<void>
  }
>() {
  /** Counters starting at zero. */
  static readonly layer = Layer.effect(
    SandboxStats,
    Effect.gen(function*() {
      const ref = yield* Ref.make(empty)
      return {
        record: (endpoint, status, committed = false) =>
          Ref.update(ref, (s) => {
            const label = String(status)
            const current = s.byEndpoint[endpoint] ?? { total: 0, byStatus: {} }
            return {
              total: s.total + 1,
              byEndpoint: {
                ...s.byEndpoint,
                [endpoint]: { total: current.total + 1, byStatus: bump(current.byStatus, label) }
              },
              byStatus: bump(s.byStatus, label),
              committedThenDropped: s.committedThenDropped + (committed ? 1 : 0)
            }
          }),
        snapshot: Ref.get(ref),
        reset: Ref.set(ref, empty)
      }
    })
  )
}
