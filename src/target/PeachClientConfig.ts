import { Config, ConfigError, Either, Option, ParseResult, Schema } from "effect"
import { HttpPolicy } from "../http/HttpPolicy.js"

/** How many items one list request asks for: the API accepts 1..100 (seed 002). */
export const PageSize = Schema.Number.pipe(Schema.int(), Schema.between(1, 100), Schema.annotations({ identifier: "PageSize" }))
export type PageSize = typeof PageSize.Type

/**
 * Everything the Peach-style client needs: the shared HTTP policy (base URL, auth,
 * timeout, retries, rate and concurrency) plus the page size lists use unless a
 * call asks for another. A schema so the run config can decode it from YAML.
 */
export class PeachClientConfig extends HttpPolicy.extend<PeachClientConfig>("PeachClientConfig")({
  pageSize: Schema.optionalWith(PageSize, { default: () => 100 })
}) {}

/** Builds a config in code, applying the documented defaults; throws on invalid input. */
export const makePeachClientConfig = (input: typeof PeachClientConfig.Encoded): PeachClientConfig =>
  Schema.decodeUnknownSync(PeachClientConfig)(input)

/**
 * Reads the config from the environment: `PEACH_BASE_URL`, then `PEACH_TOKEN`
 * (bearer) or `PEACH_API_KEY` (sent as `X-API-KEY`), and optionally
 * `PEACH_TIMEOUT_MS`, `PEACH_MAX_ATTEMPTS`, `PEACH_REQUESTS_PER_SECOND`,
 * `PEACH_CONCURRENCY`, `PEACH_PAGE_SIZE`. Invalid values fail as `ConfigError`s.
 */
export const peachClientConfigFromEnv: Config.Config<PeachClientConfig> = Config.all({
  baseUrl: Config.string("PEACH_BASE_URL"),
  token: Config.option(Config.string("PEACH_TOKEN")),
  apiKey: Config.option(Config.string("PEACH_API_KEY")),
  timeoutMillis: Config.option(Config.integer("PEACH_TIMEOUT_MS")),
  maxAttempts: Config.option(Config.integer("PEACH_MAX_ATTEMPTS")),
  requestsPerSecond: Config.option(Config.number("PEACH_REQUESTS_PER_SECOND")),
  concurrency: Config.option(Config.integer("PEACH_CONCURRENCY")),
  pageSize: Config.option(Config.integer("PEACH_PAGE_SIZE"))
}).pipe(
  Config.mapOrFail((env) => {
    const auth = Option.isSome(env.token)
      ? { _tag: "Bearer" as const, token: env.token.value }
      : Option.isSome(env.apiKey)
      ? { _tag: "ApiKey" as const, header: "X-API-KEY", key: env.apiKey.value }
      : { _tag: "None" as const }
    const decoded = Schema.decodeUnknownEither(PeachClientConfig)({
      baseUrl: env.baseUrl,
      auth,
      timeoutMillis: Option.getOrUndefined(env.timeoutMillis),
      maxAttempts: Option.getOrUndefined(env.maxAttempts),
      requestsPerSecond: Option.getOrUndefined(env.requestsPerSecond),
      concurrency: Option.getOrUndefined(env.concurrency),
      pageSize: Option.getOrUndefined(env.pageSize)
    })
    return Either.mapLeft(decoded, (error) =>
      ConfigError.InvalidData([], `invalid Peach client settings: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
    )
  })
)

