/**
 * The sandbox: a real HTTP server on 127.0.0.1 that plays the remote systems casesync
 * talks to, with in-memory state, fault knobs and request counters.
 *
 * ## How it is composed (and how to add an API)
 *
 * The server is a list of route groups (`SandboxGroup`, see `SandboxGroup.ts`) plus
 * shared plumbing:
 *
 * ```
 * request ─▶ /_sandbox/* control routes (stats, reset, knobs; no auth, not counted)
 *        └─▶ group routes, each wrapped by GroupPipeline.mountGroup:
 *              latency ▸ rate limit (429) ▸ drop ▸ fault (500/503) ▸ group.authorize (401)
 *              ▸ route handler (group state provided) ▸ commit-then-drop ▸ counted by
 *              "METHOD /route/:template" and status
 * ```
 *
 * A group brings its own routes (full paths), state layer, credential check, error
 * body shape and reset. To mount another API (e.g. the Khoros-style CRM in
 * `src/sandbox/khoros/`), export a `SandboxGroup` from its folder and add it to
 * `groups` below — that one line is the whole change. Its state services then appear
 * in `Sandbox.context`, its requests in the stats, and every knob applies to it.
 *
 * Peach-style routes live under the base path (`/api` by default: `GET /api/cases`,
 * `/api/people/...`, `/api/case-types`), so the Peach API root is `Sandbox.url`; the
 * CRM keeps `/crm` (`Sandbox.crmUrl`) and the control routes `/_sandbox` on the origin.
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Data, Effect, Either, Layer, type Scope, Schema } from "effect"
import { createServer } from "node:http"
import { fieldErrors } from "./ApiError.js"
import { controlRoutes } from "./ControlRoutes.js"
import { mountGroup } from "./GroupPipeline.js"
import { KhorosGroup } from "./khoros/KhorosGroup.js"
import { khorosPathPrefix } from "./khoros/KhorosRoutes.js"
import { PeachGroup } from "./peach/PeachGroup.js"
import { PeachState } from "./peach/PeachState.js"
import type { GroupServices, SandboxGroup } from "./SandboxGroup.js"
import { SandboxKnobs } from "./SandboxKnobs.js"
import { Knobs, normaliseBasePath, resolveConfig, SandboxConfig, type SandboxOptions } from "./SandboxOptions.js"
import { SandboxStats } from "./SandboxStats.js"

/** Every API the sandbox serves. Add a group here to mount it. */
const groups = [PeachGroup, KhorosGroup] as const

/** The state services of every mounted group. */
export type SandboxServices = GroupServices<(typeof groups)[number]>

/** A running sandbox, as `startSandbox` hands it to a test, the demo or the CLI. */
export interface Sandbox {
  /** `http://127.0.0.1:<port>/api` (or the configured base path): the Peach-style API root. */
  readonly url: string
  /** `http://127.0.0.1:<port>`: where `/_sandbox/*` lives. */
  readonly origin: string
  /** `http://127.0.0.1:<port>/crm`: the Khoros-style CRM's API root. */
  readonly crmUrl: string
  readonly port: number
  /** The Peach-style state (cases, people, case types), to inspect or seed from a test. */
  readonly state: PeachState["Type"]
  readonly stats: SandboxStats["Type"]
  readonly knobs: SandboxKnobs["Type"]
  /** Every group's state service, for `Effect.provide` in tests of other groups. */
  readonly context: Context.Context<SandboxServices>
  /** Same as `POST /_sandbox/reset`. */
  readonly reset: Effect.Effect<void>
}

/** Why the sandbox could not start: bad knobs or a port it cannot listen on. */
export class SandboxStartError extends Data.TaggedError("SandboxStartError")<{
  readonly reason: "InvalidKnobs" | "InvalidBasePath" | "Listen"
  readonly detail: string
}> {
  override get message() {
    return this.reason === "InvalidKnobs"
      ? `Invalid sandbox knobs: ${this.detail}`
      : this.reason === "InvalidBasePath"
      ? `Invalid sandbox base path: ${this.detail}`
      : `The sandbox cannot listen: ${this.detail}`
  }
}

/**
 * Starts the sandbox on 127.0.0.1 (port 0 = any free port) and stops it when the
 * scope closes; state, counters and knobs are fresh for every start.
 */
export const startSandbox = (
  options: SandboxOptions = {}
): Effect.Effect<Sandbox, SandboxStartError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = resolveConfig(options)
    const initialKnobs = yield* Schema.decodeUnknown(Knobs)(resolved.initialKnobs).pipe(
      Effect.mapError((error) =>
        new SandboxStartError({
          reason: "InvalidKnobs",
          detail: fieldErrors(error).map((e) => `${e.field}: ${e.message}`).join("; ")
        })
      )
    )
    const basePath = yield* Either.match(normaliseBasePath(resolved.basePath), {
      onLeft: (detail) => Effect.fail(new SandboxStartError({ reason: "InvalidBasePath", detail })),
      onRight: Effect.succeed
    })
    const config = { ...resolved, initialKnobs, basePath }

    const groupLayer = (groups as ReadonlyArray<SandboxGroup<any>>)
      .map((group): Layer.Layer<any, never, SandboxConfig> => group.layer)
      .reduce((acc, layer) => Layer.merge(acc, layer)) as Layer.Layer<SandboxServices, never, SandboxConfig>
    const context = yield* Layer.build(
      Layer.mergeAll(groupLayer, SandboxKnobs.layer, SandboxStats.layer).pipe(
        Layer.provide(Layer.succeed(SandboxConfig, config))
      )
    )

    const resetGroups: Effect.Effect<void> = Effect.forEach(
      groups as ReadonlyArray<SandboxGroup<any>>,
      (group) => Effect.provide(group.reset as Effect.Effect<void, never, SandboxServices>, context),
      { discard: true }
    )
    const router = HttpRouter.concatAll(
      controlRoutes(resetGroups),
      ...(groups as ReadonlyArray<SandboxGroup<any>>).map((group) =>
        mountGroup(group, context, config.credentials, basePath)
      )
    )
    const app = router.pipe(
      Effect.catchTag("RouteNotFound", (error) =>
        Effect.succeed(
          HttpServerResponse.unsafeJson(
            { status: 404, message: `No route ${error.request.method} ${error.request.url}` },
            { status: 404 }
          )
        )),
      Effect.provide(context)
    )

    const nodeServer = createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port ?? 0, host: "127.0.0.1" })
      .pipe(Effect.mapError((error) => new SandboxStartError({ reason: "Listen", detail: String(error.cause) })))
    // Runs before the server's own close: cut every connection, so a request held by the
    // latency knob (or by a TestClock nobody advances) cannot keep the scope from closing.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* server.serve(app)
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0

    const stats = Context.get(context, SandboxStats)
    const knobs = Context.get(context, SandboxKnobs)
    const origin = `http://127.0.0.1:${port}`
    return {
      url: `${origin}${basePath}`,
      origin,
      crmUrl: `${origin}${khorosPathPrefix}`,
      port,
      state: Context.get(context, PeachState),
      stats,
      knobs,
      context,
      reset: Effect.all([resetGroups, stats.reset, knobs.restart], { discard: true })
    }
  })
