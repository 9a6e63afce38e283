import type { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { Effect, Layer } from "effect"
import type { ApiError } from "./ApiError.js"
import type { SandboxConfig, SandboxCredentials } from "./SandboxOptions.js"

/**
 * One API the sandbox serves (the Peach-style case API, the Khoros-style CRM): its
 * routes, the in-memory state they need, how it checks credentials and how it writes
 * errors. The server mounts every group on one port behind the same knobs (latency,
 * rate limit, faults) and the same request counters; see `SandboxServer.ts`.
 *
 * `S` is the group's state service(s), built once per sandbox from `layer` and
 * provided to its routes; tests reach it through `Sandbox.context`.
 */
export interface SandboxGroup<S> {
  /** Short name, also the key of its entry in `SandboxOptions.fixtures`. */
  readonly name: string
  /**
   * True when its routes are served under the configured base path (`/api/cases`);
   * false when they keep the paths they carry (the CRM's `/crm/...`).
   */
  readonly underBasePath: boolean
  /** Builds the group's state (seeded from `samples/` or `fixtures[name]`). */
  readonly layer: Layer.Layer<S, never, SandboxConfig>
  /**
   * The routes, with their paths (under the base path when `underBasePath`). Route
   * templates (`/people/:personId/cases`, without the base path) are what the request
   * counters report.
   */
  readonly router: HttpRouter.HttpRouter<ApiError, S>
  /** True when the request carries credentials this API accepts (otherwise: 401). */
  readonly authorize: (request: HttpServerRequest.HttpServerRequest, credentials: SandboxCredentials) => boolean
  /** This API's error body for an error (also used for 401, 429 and injected 500/503). */
  readonly renderError: (error: ApiError) => HttpServerResponse.HttpServerResponse
  /** Puts the state back to its seed (`POST /_sandbox/reset`). */
  readonly reset: Effect.Effect<void, never, S>
}

/** The state services of a list of groups. */
export type GroupServices<G> = G extends SandboxGroup<infer S> ? S : never
