import { Schema } from "effect"

/** One field the server (or the request encoder) refused, with its reason. */
export const FieldError = Schema.Struct({ field: Schema.String, message: Schema.String })
export type FieldError = typeof FieldError.Type

/** What every request error says about the request: which one and on which attempt it failed. */
const requestFields = {
  method: Schema.String,
  url: Schema.String,
  /** 1-based attempt that produced this error (the last one when retries ran out). */
  attempt: Schema.Int
} as const

const serverMessage = Schema.optional(Schema.String)

const describe = (
  self: { readonly method: string; readonly url: string; readonly attempt: number },
  status: number | undefined,
  what: string,
  detail: string | undefined
): string =>
  `${self.method} ${self.url}: ${status === undefined ? "" : `${status} `}${what}` +
  (detail ? ` — ${detail}` : "") +
  (self.attempt > 1 ? ` (after ${self.attempt} attempts)` : "")

const fieldSummary = (fields: ReadonlyArray<FieldError>): string | undefined =>
  fields.length === 0 ? undefined : fields.map((f) => `${f.field}: ${f.message}`).join("; ")

/** 404: the addressed object does not exist (for a lookup by `ext-<id>`, "not created yet"). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  ...requestFields,
  status: Schema.Int,
  serverMessage
}) {
  override get message(): string {
    return describe(this, this.status, "not found", this.serverMessage)
  }
}

/** 409: the request collides with existing state (Peach: a duplicate `externalId`). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  ...requestFields,
  status: Schema.Int,
  serverMessage,
  fieldErrors: Schema.Array(FieldError)
}) {
  override get message(): string {
    return describe(this, this.status, "conflict", fieldSummary(this.fieldErrors) ?? this.serverMessage)
  }
}

/**
 * The request was refused as invalid: a 400/422 (or another 4xx) with the server's
 * per-field messages, or — `status` absent — a body that broke the contract before
 * it was sent. Retrying the same request cannot succeed.
 */
export class Invalid extends Schema.TaggedError<Invalid>()("Invalid", {
  ...requestFields,
  status: Schema.optional(Schema.Int),
  serverMessage,
  fieldErrors: Schema.Array(FieldError)
}) {
  override get message(): string {
    const what = this.status === undefined ? "refused before sending, invalid request body" : "invalid request"
    return describe(this, this.status, what, fieldSummary(this.fieldErrors) ?? this.serverMessage)
  }
}

/** 429: the server asked the client to slow down; `retryAfterMillis` is how long it asked to wait. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...requestFields,
  status: Schema.Int,
  serverMessage,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const wait = this.retryAfterMillis === undefined ? undefined : `server asked to wait ${this.retryAfterMillis} ms`
    return describe(this, this.status, "rate limited", wait ?? this.serverMessage)
  }
}

/** 401/403: the credentials are missing, wrong or not allowed to do this. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  ...requestFields,
  status: Schema.Int,
  serverMessage
}) {
  override get message(): string {
    return describe(this, this.status, "unauthorized, check the API credentials", this.serverMessage)
  }
}

/**
 * 5xx: the server failed. `ambiguous` is true when the request changes state and
 * may have been applied anyway, so the caller must look before trying again
 * (Peach: fetch `ext-<externalId>`).
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  ...requestFields,
  status: Schema.Int,
  serverMessage,
  ambiguous: Schema.Boolean,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const what = this.ambiguous ? "server error, outcome unknown" : "server error"
    return describe(this, this.status, what, this.serverMessage)
  }
}

/** Why no usable response arrived. */
export const TransportReason = Schema.Literal(
  /** Nothing was sent: connection refused, host unknown or unreachable. Always safe to retry. */
  "NotConnected",
  /** The connection broke after the request may have been sent (reset, closed, body cut short). */
  "ConnectionLost",
  /** The attempt took longer than the policy's `timeoutMillis`. */
  "Timeout"
)
export type TransportReason = typeof TransportReason.Type

/**
 * No usable response: the connection failed or the attempt timed out. `ambiguous`
 * is true when a state-changing request may have reached the server.
 */
export class Transport extends Schema.TaggedError<Transport>()("Transport", {
  ...requestFields,
  reason: TransportReason,
  detail: Schema.String,
  ambiguous: Schema.Boolean
}) {
  override get message(): string {
    const what = this.ambiguous ? `${this.reason}, outcome unknown` : this.reason
    return describe(this, undefined, what, this.detail)
  }
}

/** One place where a response broke the contract: a field path such as `data.status`, and why. */
export const DecodeIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export type DecodeIssue = typeof DecodeIssue.Type

/**
 * A response that breaks the API contract (bad JSON, missing field, wrong enum,
 * timestamp without offset). `path` names the first offending field, `issues` all
 * of them. A 2xx status means the server DID act; only its answer is unreadable.
 */
export class Decode extends Schema.TaggedError<Decode>()("Decode", {
  ...requestFields,
  status: Schema.Int,
  path: Schema.String,
  issues: Schema.Array(DecodeIssue),
  detail: Schema.String
}) {
  override get message(): string {
    const first = this.issues[0]
    const where = first === undefined ? this.detail : `${first.path || "(body)"}: ${first.message}`
    const more = this.issues.length > 1 ? ` (+${this.issues.length - 1} more)` : ""
    return describe(this, this.status, "response breaks the API contract", where + more)
  }
}

/** Any other status (a redirect that was not followed, 1xx, an odd 2xx/4xx). */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>()("UnexpectedStatus", {
  ...requestFields,
  status: Schema.Int,
  serverMessage
}) {
  override get message(): string {
    return describe(this, this.status, "unexpected status", this.serverMessage)
  }
}

/** Every way a request under the shared policy can fail; a schema so errors can be stored in reports. */
export const HttpRequestError = Schema.Union(
  NotFound,
  Conflict,
  Invalid,
  RateLimited,
  Unauthorized,
  ServerError,
  Transport,
  Decode,
  UnexpectedStatus
)
export type HttpRequestError = typeof HttpRequestError.Type

/**
 * True when the request may or may not have taken effect: the caller must check
 * the server's state (e.g. `ext-<externalId>`) before sending it again.
 */
export const isOutcomeUnknown = (error: HttpRequestError): boolean =>
  (error._tag === "Transport" || error._tag === "ServerError") && error.ambiguous

/** True when the request never left: its body broke the contract and the client refused it (an `Invalid` without a status). */
export const isRefusedBeforeSending = (error: HttpRequestError): boolean => error._tag === "Invalid" && error.status === undefined
