import { Effect, Either } from "effect"
import type { Sandbox } from "../../src/sandbox/SandboxServer.js"

/**
 * Plain `fetch` against a running sandbox, deliberately not the project's HTTP client,
 * so a client bug cannot hide a sandbox bug.
 */

/** A response with its JSON body parsed (undefined when empty). */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

/** Credentials the sandbox accepts by default (documented in the README). */
export const bearer = { authorization: "Bearer sandbox-token" } as const
export const apiKey = { "x-api-key": "sandbox-key" } as const

export interface CallOptions {
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Send no credentials at all. */
  readonly anonymous?: boolean
}

/**
 * Where `path` goes: an API path (`/people`) under the API root, a control path
 * (`/_sandbox/...`) on the origin, and a link (`/api/people?...`, `http://...`)
 * resolved against the API root the way a browser resolves it.
 */
export const urlOf = (sandbox: Pick<Sandbox, "url" | "origin">, path: string): string =>
  path.startsWith("/_sandbox/")
    ? `${sandbox.origin}${path}`
    : /^https?:/.test(path) || path.startsWith(new URL(sandbox.url).pathname + "/")
    ? new URL(path, sandbox.url).href
    : `${sandbox.url}${path}`

const send = (sandbox: Pick<Sandbox, "url" | "origin">, method: string, path: string, options: CallOptions = {}) =>
  fetch(urlOf(sandbox, path), {
    method,
    headers: {
      ...(options.anonymous === true ? {} : bearer),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) })
  }).then(async (response) => {
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
  })

/** One request; a dropped connection is a defect (use `attempt` when a drop is expected). */
export const call = (sandbox: Pick<Sandbox, "url" | "origin">, method: string, path: string, options?: CallOptions) =>
  Effect.promise((): Promise<Reply> => send(sandbox, method, path, options))

/** One request whose connection may be dropped: Left with the fetch error when it is. */
export const attempt = (sandbox: Pick<Sandbox, "url" | "origin">, method: string, path: string, options?: CallOptions) =>
  Effect.either(Effect.tryPromise({ try: (): Promise<Reply> => send(sandbox, method, path, options), catch: (e) => e }))
    .pipe(Effect.map((result) => result as Either.Either<Reply, unknown>))

/** A valid create body for case type 101 ("Legacy servicing case", seed case-types.json). */
export const legacyCase = (externalId: string, extra: Record<string, unknown> = {}) => ({
  typeId: "101",
  externalId,
  openedAt: "2021-05-01T10:00:00-04:00",
  ...extra
})

/** Field names of a 400 body's `errors`. */
export const fieldsOf = (reply: Reply): ReadonlyArray<string> =>
  (reply.body?.errors ?? []).map((e: { field: string }) => e.field)

/** The millisecond-precision UTC form the sandbox writes its own timestamps in. */
export const utcMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
