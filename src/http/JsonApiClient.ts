import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { Clock, Effect, Either, Redacted, Ref, Schema } from "effect"
import type { ParseResult } from "effect"
import { issuesOf, treeOf } from "./ContractIssues.js"
import type { HttpPolicy } from "./HttpPolicy.js"
import {
  Conflict,
  Decode,
  type FieldError,
  type HttpRequestError,
  Invalid,
  NotFound,
  RateLimited,
  ServerError,
  Transport,
  UnexpectedStatus,
  Unauthorized
} from "./HttpRequestError.js"
import { plainDecoder } from "./PlainDecoder.js"
import { makeRequestPacer } from "./RequestPacer.js"
import { parseRetryAfter, retrySchedule } from "./RetryPolicy.js"
import { classifyTransportFailure } from "./TransportFailure.js"

/** What an API's error body says, in the form every typed error carries. */
export interface ErrorDetails {
  readonly message?: string | undefined
  readonly fieldErrors: ReadonlyArray<FieldError>
}

/**
 * Reads one API's error body (already parsed JSON, or the raw text when it was not
 * JSON). Each API shapes errors its own way; this is the only part that differs.
 */
export type ErrorBodyReader = (body: unknown) => ErrorDetails

/** HTTP methods the policy sends. */
export type ApiMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** A query parameter value; arrays repeat the parameter, `undefined`/`null` omit it. */
export type QueryValue = string | number | boolean | ReadonlyArray<string | number> | undefined | null

/** A request body with the schema that encodes it, checked before anything is sent. */
export interface JsonBody {
  readonly encode: () => Either.Either<unknown, ParseResult.ParseError>
}

/** Pairs a body with its schema; encoding failures become `Invalid` without a request being sent. */
export const jsonBody = <A, I>(schema: Schema.Schema<A, I, never>, value: A): JsonBody => ({
  encode: () => Schema.encodeEither(schema, { errors: "all" })(value)
})

/** One request under the policy: method, path relative to `baseUrl` (it may carry a query) or an absolute URL (a resolved link), query, body. */
export interface ApiRequest {
  readonly method: ApiMethod
  readonly path: string
  readonly query?: Readonly<Record<string, QueryValue>> | undefined
  readonly body?: JsonBody | undefined
  /**
   * Whether sending the request twice is harmless, so ambiguous failures (5xx,
   * lost connection, timeout) may be retried blindly. Defaults to true for GET,
   * PUT and DELETE, false for POST and PATCH; 429 and refused connections are
   * retried either way.
   */
  readonly idempotent?: boolean | undefined
}

/** An HTTP client bound to one API and the shared policy: retries, pacing, auth and typed errors. */
export interface JsonApiClient {
  readonly policy: HttpPolicy
  /** Sends the request and decodes a 2xx JSON body with `response`. */
  readonly json: <A, I>(request: ApiRequest, response: Schema.Schema<A, I, never>) => Effect.Effect<A, HttpRequestError>
  /** Sends the request and expects a 2xx whose body, if any, does not matter (204 endpoints). */
  readonly noContent: (request: ApiRequest) => Effect.Effect<void, HttpRequestError>
}

/** Options that differ per API. */
export interface JsonApiClientOptions {
  readonly readErrorBody: ErrorBodyReader
}

// == helpers

const readOnlyMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"])
const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/** Joins the API root and a path (or an absolute URL, e.g. a full `nextUrl`) and appends the query. */
export const resolveUrl = (
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> = {}
): string => {
  const url = /^https?:\/\//i.test(path)
    ? new URL(path)
    : new URL(baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`))
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      url.searchParams.delete(key)
      for (const item of value) url.searchParams.append(key, String(item))
    } else {
      url.searchParams.set(key, String(value))
    }
  }
  return url.toString()
}

interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (error) {
    return Either.left(error instanceof Error ? error.message : String(error))
  }
}

const snippet = (text: string): string | undefined => {
  const trimmed = text.trim()
  if (trimmed === "") return undefined
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed
}

const authHeaders = (policy: HttpPolicy): Record<string, string> => {
  switch (policy.auth._tag) {
    case "Bearer":
      return { authorization: `Bearer ${Redacted.value(policy.auth.token)}` }
    case "ApiKey":
      return { [policy.auth.header.toLowerCase()]: Redacted.value(policy.auth.key) }
    case "None":
      return {}
  }
}

/**
 * Builds a client for one API under `policy`, on whatever `HttpClient` is provided
 * (casesync uses `FetchHttpClient.layer`). The pacing state is shared by every
 * request sent through the returned client.
 */
export const makeJsonApiClient = (
  policy: HttpPolicy,
  options: JsonApiClientOptions
): Effect.Effect<JsonApiClient, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const pacer = yield* makeRequestPacer(policy)
    const fixedHeaders = { accept: "application/json", "user-agent": policy.userAgent, ...authHeaders(policy) }

    const execute = <A>(
      request: ApiRequest,
      onSuccess: (raw: RawResponse, ctx: AttemptContext) => Either.Either<A, HttpRequestError>
    ): Effect.Effect<A, HttpRequestError> =>
      Effect.gen(function*() {
        const url = resolveUrl(policy.baseUrl, request.path, request.query)
        const idempotent = request.idempotent ?? idempotentMethods.has(request.method)
        const mutating = !readOnlyMethods.has(request.method)
        const base = { method: request.method, url }

        let outgoing = HttpClientRequest.make(request.method)(url).pipe(HttpClientRequest.setHeaders(fixedHeaders))
        if (request.body !== undefined) {
          const encoded = request.body.encode()
          if (Either.isLeft(encoded)) {
            return yield* new Invalid({
              ...base,
              attempt: 1,
              serverMessage: "the request body breaks the API contract",
              fieldErrors: issuesOf(encoded.left).map((i) => ({ field: i.path, message: i.message }))
            })
          }
          outgoing = HttpClientRequest.bodyUnsafeJson(outgoing, encoded.right)
        }

        const attempts = yield* Ref.make(0)
        const attempt = Effect.gen(function*() {
          const n = yield* Ref.updateAndGet(attempts, (k) => k + 1)
          const ctx: AttemptContext = { ...base, attempt: n, mutating }
          const raw = yield* pacer.run(send(outgoing, ctx))
          const now = yield* Clock.currentTimeMillis
          const result = interpret(options.readErrorBody, raw, ctx, now, onSuccess)
          const asked = Either.isLeft(result) && result.left._tag === "RateLimited" ? result.left.retryAfterMillis : undefined
          // A wait longer than the policy accepts ends this request's retries; it must not stall the others.
          if (asked !== undefined && asked <= policy.maxRetryAfterMillis) yield* pacer.pauseUntil(now + asked)
          if (Either.isLeft(result) && result.left._tag === "RateLimited") yield* pacer.throttled
          return yield* result
        }).pipe(
          Effect.tapError((error) =>
            Effect.logDebug("HTTP attempt failed").pipe(
              Effect.annotateLogs({ method: request.method, url, error: error._tag, attempt: error.attempt })
            )
          )
        )
        return yield* Effect.retry(attempt, retrySchedule(policy, idempotent))
      })

    /** One attempt on the wire: the response with its whole body, or a transport failure, within the timeout. */
    const send = (outgoing: HttpClientRequest.HttpClientRequest, ctx: AttemptContext): Effect.Effect<RawResponse, HttpRequestError> =>
      http.execute(outgoing).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (text): RawResponse => ({ status: response.status, headers: response.headers, text }))
        ),
        Effect.mapError((error) => fromClientError(error, ctx)),
        Effect.timeoutFail({
          duration: policy.timeout,
          onTimeout: () =>
            new Transport({
              method: ctx.method,
              url: ctx.url,
              attempt: ctx.attempt,
              reason: "Timeout",
              detail: `no complete response within ${policy.timeoutMillis} ms`,
              ambiguous: ctx.mutating
            })
        })
      )

    return {
      policy,
      json: <A, I>(request: ApiRequest, response: Schema.Schema<A, I, never>) => {
        const decode = plainDecoder(response, Schema.decodeUnknownEither(response, { errors: "all" }))
        return execute(request, (raw, ctx) => decodeBody(raw, ctx, decode))
      },
      noContent: (request: ApiRequest) => execute(request, () => Either.void)
    }
  })

/** What an attempt's errors need to say about it. */
interface AttemptContext {
  readonly method: string
  readonly url: string
  readonly attempt: number
  readonly mutating: boolean
}

/** Maps a complete response to the decoded value or the typed error its status means. */
const interpret = <A>(
  readErrorBody: ErrorBodyReader,
  raw: RawResponse,
  ctx: AttemptContext,
  now: number,
  onSuccess: (raw: RawResponse, ctx: AttemptContext) => Either.Either<A, HttpRequestError>
): Either.Either<A, HttpRequestError> => {
  if (raw.status >= 200 && raw.status < 300) return onSuccess(raw, ctx)
  const body = raw.text.trim() === "" ? undefined : Either.getOrElse(parseJson(raw.text), () => raw.text)
  const details = body === undefined ? { fieldErrors: [] } : readErrorBody(body)
  const serverMessage = details.message ?? (typeof body === "string" ? snippet(body) : undefined)
  const common = { method: ctx.method, url: ctx.url, attempt: ctx.attempt, status: raw.status, serverMessage }
  const retryAfterMillis = parseRetryAfter(raw.headers["retry-after"], now)
  const fieldErrors = [...details.fieldErrors]
  if (raw.status === 401 || raw.status === 403) return Either.left(new Unauthorized(common))
  if (raw.status === 404) return Either.left(new NotFound(common))
  if (raw.status === 409) return Either.left(new Conflict({ ...common, fieldErrors }))
  if (raw.status === 429) return Either.left(new RateLimited({ ...common, retryAfterMillis }))
  if (raw.status >= 500) {
    return Either.left(new ServerError({ ...common, ambiguous: ctx.mutating, retryAfterMillis }))
  }
  if (raw.status >= 400) return Either.left(new Invalid({ ...common, fieldErrors }))
  return Either.left(new UnexpectedStatus(common))
}

const decodeBody = <A>(
  raw: RawResponse,
  ctx: AttemptContext,
  decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>
): Either.Either<A, HttpRequestError> => {
  const common = { method: ctx.method, url: ctx.url, attempt: ctx.attempt, status: raw.status }
  if (raw.text.trim() === "") {
    const message = "expected a JSON body, got an empty one"
    return Either.left(new Decode({ ...common, path: "", issues: [{ path: "", message }], detail: message }))
  }
  return parseJson(raw.text).pipe(
    Either.mapLeft((reason) => {
      const message = `not JSON (${reason})`
      return new Decode({ ...common, path: "", issues: [{ path: "", message }], detail: message })
    }),
    Either.flatMap((json) =>
      Either.mapLeft(decode(json), (error) => {
        const issues = issuesOf(error)
        return new Decode({ ...common, path: issues[0]?.path ?? "", issues, detail: treeOf(error) })
      })
    )
  )
}

const fromClientError = (error: HttpClientError.HttpClientError, ctx: AttemptContext): HttpRequestError => {
  const common = { method: ctx.method, url: ctx.url, attempt: ctx.attempt }
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    // The request could not even be built (bad URL, unencodable body): a caller bug, nothing was sent.
    return new Invalid({ ...common, serverMessage: error.message, fieldErrors: [] })
  }
  if (error._tag === "ResponseError") {
    // Headers arrived but the body did not: the server received the request and may have acted on it.
    return new Transport({
      ...common,
      reason: "ConnectionLost",
      detail: `response ${error.response.status} cut short: ${classifyTransportFailure(error.cause).detail}`,
      ambiguous: ctx.mutating
    })
  }
  const { detail, reason } = classifyTransportFailure(error.cause)
  return new Transport({ ...common, reason, detail, ambiguous: ctx.mutating && reason !== "NotConnected" })
}
