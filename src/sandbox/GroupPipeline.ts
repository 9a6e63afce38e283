import { HttpRouter, HttpServerRequest, HttpServerRespondable, type HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Cause, type Context, Duration, Effect, Option } from "effect"
import { ApiError } from "./ApiError.js"
import type { SandboxGroup } from "./SandboxGroup.js"
import { SandboxKnobs } from "./SandboxKnobs.js"
import type { SandboxCredentials } from "./SandboxOptions.js"
import { DROPPED, SandboxStats } from "./SandboxStats.js"

const mutating = new Set(["POST", "PUT", "PATCH", "DELETE"])

/**
 * Destroys the client's socket without answering, the way a crashed proxy or a
 * reset connection looks to a client, then ends the handler.
 */
const dropConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.zipRight(
    Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()),
    Effect.interrupt
  )

/**
 * Wraps every route of a group in the shared pipeline, in this order: latency, rate
 * limit (429 + `Retry-After`), dropped connection, injected 500/503, the group's
 * authentication (401), the route itself with the group's state provided, then
 * commit-then-drop for successful writes. Every outcome is counted under the route's
 * method and template (`POST /people/:personId/cases`). A group `underBasePath` is
 * served at `basePath` + its paths.
 */
export const mountGroup = <S>(
  group: SandboxGroup<S>,
  context: Context.Context<S>,
  credentials: SandboxCredentials,
  basePath: string
): HttpRouter.HttpRouter<never, SandboxKnobs | SandboxStats> =>
  HttpRouter.fromIterable(
    [...group.router.routes].map((route) =>
      HttpRouter.makeRoute(
        route.method,
        // Served under the base path, counted under the template the API documents.
        (group.underBasePath ? `${basePath}${route.path}` : route.path) as HttpRouter.PathInput,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const knobs = yield* SandboxKnobs
          const stats = yield* SandboxStats
          const endpoint = `${route.method} ${route.path}`
          const answer = (response: HttpServerResponse.HttpServerResponse) =>
            Effect.as(stats.record(endpoint, response.status), response)
          const fail = (error: ApiError) => answer(group.renderError(error))

          const k = yield* knobs.get
          const delay = yield* knobs.latency
          if (Duration.greaterThan(delay, Duration.zero)) yield* Effect.sleep(delay)

          const retryAfter = yield* knobs.takeToken
          if (Option.isSome(retryAfter)) {
            return yield* fail(
              new ApiError({
                status: 429,
                message: `Rate limit of ${k.rateLimit} requests per second exceeded; retry after ${retryAfter.value}s`,
                headers: { "retry-after": String(retryAfter.value) }
              })
            )
          }
          if (yield* knobs.roll(k.dropRate)) {
            yield* stats.record(endpoint, DROPPED)
            return yield* dropConnection(request)
          }
          if (yield* knobs.roll(k.faultRate)) {
            const status = (yield* knobs.next) < 0.5 ? 500 : 503
            return yield* fail(new ApiError({ status, message: `Injected fault (sandbox faultRate ${k.faultRate})` }))
          }
          if (!group.authorize(request, credentials)) {
            return yield* fail(new ApiError({ status: 401, message: "Missing or invalid credentials" }))
          }

          const response = yield* route.handler.pipe(
            Effect.flatMap(HttpServerRespondable.toResponse),
            Effect.provide(context),
            Effect.catchTag("ApiError", (error) => Effect.succeed(group.renderError(error))),
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause)
                ? Effect.failCause(cause)
                : Effect.as(
                  Effect.logError("sandbox route failed", cause),
                  group.renderError(new ApiError({ status: 500, message: Cause.pretty(cause).split("\n")[0]! }))
                )
            )
          )
          if (
            mutating.has(request.method) && response.status < 300 &&
            (yield* knobs.roll(k.commitThenDropRate))
          ) {
            yield* stats.record(endpoint, DROPPED, true)
            return yield* dropConnection(request)
          }
          return yield* answer(response)
        }),
        {
          prefix: Option.getOrUndefined(route.prefix),
          uninterruptible: route.uninterruptible
        }
      )
    )
  )
