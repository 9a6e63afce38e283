import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Schema } from "effect"
import { fieldErrors } from "./ApiError.js"
import { SandboxKnobs } from "./SandboxKnobs.js"
import { KnobsPatch } from "./SandboxOptions.js"
import { SandboxStats } from "./SandboxStats.js"

/**
 * The sandbox's own endpoints under `/_sandbox`, outside the API groups: no
 * credentials, no knobs, not counted, so a test can always read and steer the server.
 *
 * - `GET /_sandbox/stats`: request counts by endpoint and status.
 * - `POST /_sandbox/reset`: state back to the seed, counts to zero, PRNG re-seeded.
 * - `GET /_sandbox/knobs`, `POST /_sandbox/knobs` (partial `Knobs` body): read or change the knobs.
 */
export const controlRoutes = (resetGroups: Effect.Effect<void>) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(
      "/_sandbox/stats",
      Effect.flatMap(SandboxStats, (stats) => stats.snapshot).pipe(
        Effect.map((data) => HttpServerResponse.unsafeJson({ status: 200, message: "Request counts", data }))
      )
    ),
    HttpRouter.post(
      "/_sandbox/reset",
      Effect.gen(function*() {
        yield* resetGroups
        yield* Effect.flatMap(SandboxStats, (stats) => stats.reset)
        yield* Effect.flatMap(SandboxKnobs, (knobs) => knobs.restart)
        return HttpServerResponse.empty({ status: 204 })
      })
    ),
    HttpRouter.get(
      "/_sandbox/knobs",
      Effect.flatMap(SandboxKnobs, (knobs) => knobs.get).pipe(
        Effect.map((data) => HttpServerResponse.unsafeJson({ status: 200, message: "Current knobs", data }))
      )
    ),
    HttpRouter.post(
      "/_sandbox/knobs",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const body = yield* Effect.orElseSucceed(request.json, () => undefined)
        const patch = Schema.decodeUnknownEither(KnobsPatch, { errors: "all" })(body)
        if (patch._tag === "Left") {
          return HttpServerResponse.unsafeJson(
            { status: 400, message: "Invalid knobs", errors: fieldErrors(patch.left) },
            { status: 400 }
          )
        }
        const data = yield* Effect.flatMap(SandboxKnobs, (knobs) => knobs.set(patch.right))
        return HttpServerResponse.unsafeJson({ status: 200, message: "Knobs updated", data })
      })
    )
  )
