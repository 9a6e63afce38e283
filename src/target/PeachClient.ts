import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { type Config, type ConfigError, Context, Effect, Layer } from "effect"
import { makeJsonApiClient } from "../http/JsonApiClient.js"
import { makePeachCaseOperations, type PeachCaseOperations } from "./PeachCases.js"
import { makePeachCaseTypeOperations, type PeachCaseTypeOperations } from "./PeachCaseTypes.js"
import type { PeachClientConfig } from "./PeachClientConfig.js"
import { readPeachErrorBody } from "./PeachErrorBody.js"
import { makePeachPeopleOperations, type PeachPeopleOperations } from "./PeachPeople.js"

/** Every endpoint of the Peach-style API (PEACH_ROUTES.md), typed, under the shared request policy. */
export interface PeachClientService extends PeachCaseOperations, PeachCaseTypeOperations, PeachPeopleOperations {
  readonly config: PeachClientConfig
}

/** Builds the client on the provided `HttpClient`; the pacing (rate, concurrency) is shared by all its calls. */
export const makePeachClient = (
  config: PeachClientConfig
): Effect.Effect<PeachClientService, never, HttpClient.HttpClient> =>
  Effect.map(makeJsonApiClient(config, { readErrorBody: readPeachErrorBody }), (api) => ({
    config,
    ...makePeachCaseOperations(api, config.pageSize),
    ...makePeachCaseTypeOperations(api, config.pageSize),
    ...makePeachPeopleOperations(api, config.pageSize)
  }))

/**
 * The Peach-style case API as a service: cases, case types and borrowers, with
 * retries, pacing and typed errors from the shared HTTP policy.
 */
export class PeachClient extends Context.Tag("casesync/PeachClient")<PeachClient, PeachClientService>() {
  /** The client on `FetchHttpClient` (what casesync runs on, and what nock intercepts in tests). */
  static readonly layer = (config: PeachClientConfig): Layer.Layer<PeachClient> =>
    Layer.effect(PeachClient, makePeachClient(config)).pipe(Layer.provide(FetchHttpClient.layer))

  /** The client with its settings read from a `Config` (e.g. `peachClientConfigFromEnv`). */
  static readonly layerConfig = (
    config: Config.Config<PeachClientConfig>
  ): Layer.Layer<PeachClient, ConfigError.ConfigError> =>
    Layer.unwrapEffect(Effect.map(config, PeachClient.layer))
}

