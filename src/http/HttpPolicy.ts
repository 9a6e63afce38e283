import { Duration, Schema } from "effect"

/** Bearer-token authentication: `Authorization: Bearer <token>`. */
export const BearerAuth = Schema.TaggedStruct("Bearer", { token: Schema.Redacted(Schema.String) })

/** API-key authentication: the key in a named header (Peach: `X-API-KEY`). */
export const ApiKeyAuth = Schema.TaggedStruct("ApiKey", {
  header: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9-]+$/)),
  key: Schema.Redacted(Schema.String)
})

/** No credentials: the server is open, or a test checks that it answers 401. */
export const NoAuth = Schema.TaggedStruct("None", {})

/** How requests authenticate; secrets are `Redacted` so logs and traces never show them. */
export const HttpAuth = Schema.Union(BearerAuth, ApiKeyAuth, NoAuth)
export type HttpAuth = typeof HttpAuth.Type

const PositiveMillis = Schema.Number.pipe(Schema.int(), Schema.positive())

/**
 * The request policy every HTTP client of casesync shares: where the API is, how
 * to authenticate, how long one attempt may take, how often and how patiently to
 * retry, and how hard the server may be pushed. Durations are in milliseconds so a
 * YAML run config can state them plainly.
 */
export class HttpPolicy extends Schema.Class<HttpPolicy>("HttpPolicy")({
  /** API root; request paths are relative to it (a `nextUrl` link is resolved against its page's URL instead). */
  baseUrl: Schema.String.pipe(Schema.pattern(/^https?:\/\/[^\s]+$/)),
  auth: Schema.optionalWith(HttpAuth, { default: () => NoAuth.make({}) }),
  /** Limit for ONE attempt (sending, waiting, reading the body); a timeout is a transport failure. */
  timeoutMillis: Schema.optionalWith(PositiveMillis, { default: () => 30_000 }),
  /** Attempts in total, the first included (1 = never retry). */
  maxAttempts: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(1, 20)), { default: () => 5 }),
  /** Delay before the first retry; it doubles per retry, with ±20% jitter. */
  backoffBaseMillis: Schema.optionalWith(PositiveMillis, { default: () => 250 }),
  /** Ceiling for a computed backoff delay. */
  backoffCapMillis: Schema.optionalWith(PositiveMillis, { default: () => 10_000 }),
  /**
   * Longest `Retry-After` the client will wait out; a server asking for more ends
   * the retries and the caller gets the `RateLimited` error with the wait asked for.
   */
  maxRetryAfterMillis: Schema.optionalWith(PositiveMillis, { default: () => 120_000 }),
  /** Request starts per second across the whole client (absent: unlimited). */
  requestsPerSecond: Schema.optional(Schema.Number.pipe(Schema.positive())),
  /** Requests that may start back to back before `requestsPerSecond` spacing applies. */
  burst: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 1 }),
  /** Requests in flight at once across the whole client (absent: unlimited). */
  concurrency: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.positive())),
  /** Sent as `User-Agent` so the server's logs can tell casesync apart. */
  userAgent: Schema.optionalWith(Schema.String, { default: () => "casesync" })
}) {
  /** Per-attempt timeout as a `Duration`. */
  get timeout(): Duration.Duration {
    return Duration.millis(this.timeoutMillis)
  }
}

/** Builds a policy in code from the fields that matter, with the documented defaults for the rest. */
export const makeHttpPolicy = (input: typeof HttpPolicy.Encoded): HttpPolicy =>
  Schema.decodeUnknownSync(HttpPolicy)(input)
