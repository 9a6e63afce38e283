import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import * as path from "node:path"
import { HttpAuth } from "../http/HttpPolicy.js"
import { CsvSourceOptions } from "../sources/csv/CsvSourceOptions.js"
import { PeachClientConfig } from "../target/PeachClientConfig.js"
import { type ConfigFileError, decodeYaml, readYamlFile, substituteEnvironment } from "./YamlFile.js"

const Millis = Schema.Int.pipe(Schema.positive())

/** HTTP tuning shared by the target and the CRM source, as written in the run config. */
const httpTuning = {
  timeoutMillis: Schema.optional(Millis),
  maxAttempts: Schema.optional(Schema.Int.pipe(Schema.between(1, 20))),
  requestsPerSecond: Schema.optional(Schema.Number.pipe(Schema.positive())),
  concurrency: Schema.optional(Schema.Int.pipe(Schema.positive()))
} as const

/** A CSV export as the source (`kind: csv`): the CSV reader's options. */
export const CsvSourceSection = Schema.Struct({ kind: Schema.Literal("csv"), ...CsvSourceOptions.fields })

/** Where the CRM's customer ids come from: a list, a CSV column, or the target's borrowers. */
export const CustomersSection = Schema.Union(
  Schema.Struct({ ids: Schema.NonEmptyArray(Schema.NonEmptyString) }),
  Schema.Struct({ csv: CsvSourceOptions, column: Schema.NonEmptyString }),
  Schema.Literal("borrowers")
)

/** The Khoros-style CRM as the source (`kind: khoros`). */
export const KhorosSourceSection = Schema.Struct({
  kind: Schema.Literal("khoros"),
  baseUrl: Schema.String.pipe(Schema.pattern(/^https?:\/\/\S+$/)),
  apiKey: Schema.NonEmptyString,
  apiKeyHeader: Schema.optional(Schema.String),
  customers: CustomersSection,
  /** Customers fetched at once. */
  customerConcurrency: Schema.optional(Schema.Int.pipe(Schema.positive())),
  ...httpTuning
})

/** The Peach-style target: where, with which credential, and how hard to push it. */
export const TargetSection = Schema.Struct({
  baseUrl: Schema.String.pipe(Schema.pattern(/^https?:\/\/\S+$/)),
  /** Bearer token (`Authorization: Bearer …`); reference an environment variable, never a literal. */
  token: Schema.optional(Schema.NonEmptyString),
  /** API key sent as `X-API-KEY` (or `apiKeyHeader`). */
  apiKey: Schema.optional(Schema.NonEmptyString),
  apiKeyHeader: Schema.optional(Schema.String),
  pageSize: Schema.optional(Schema.Int.pipe(Schema.between(1, 100))),
  ...httpTuning
})

const SyncPolicySetting = Schema.Literal("sourceWins", "targetWins", "newestWins", "manual")

/**
 * Two-way sync (`casesync sync`): the schedule (`every: 5m` or a cron expression), what to do
 * with target cases that have no CRM counterpart, the default conflict policy and, per target
 * field, its direction and policy (overriding the mapping's `direction:`).
 */
export const SyncSection = Schema.Struct({
  every: Schema.optional(Schema.NonEmptyString),
  cron: Schema.optional(Schema.NonEmptyString),
  newTargetCases: Schema.optional(Schema.Literal("ignore", "createInSource")),
  policy: Schema.optional(SyncPolicySetting),
  fields: Schema.optional(Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      direction: Schema.optional(Schema.Literal("toTarget", "both", "toSource")),
      policy: Schema.optional(SyncPolicySetting)
    })
  }))
})
export type SyncSection = typeof SyncSection.Type

/** The run configuration file (`casesync.yaml`), as written. Paths are relative to the file. */
export const RunConfigFile = Schema.Struct({
  /** Names the migration in the state store; defaults to the config file's name. */
  job: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]*$/))),
  source: Schema.Union(CsvSourceSection, KhorosSourceSection),
  mapping: Schema.NonEmptyString,
  target: TargetSection,
  /** SQLite file or `postgres://…[?schema=name]`; default `.casesync/state.db` beside the config. */
  state: Schema.optional(Schema.NonEmptyString),
  /** Folder for the plan, report, results and rejects; default `out/<job>` beside the config. */
  output: Schema.optional(Schema.NonEmptyString),
  /** Writes in flight at once during apply (default 4). */
  applyConcurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, 64))),
  sync: Schema.optional(SyncSection)
})
export type RunConfigFile = typeof RunConfigFile.Type

/** What a run works from, with paths resolved and the target's client settings built. */
export interface RunConfig {
  readonly file: string
  readonly job: string
  readonly source: typeof CsvSourceSection.Type | typeof KhorosSourceSection.Type
  readonly mappingFile: string
  readonly target: PeachClientConfig
  readonly state: string
  readonly outputDir: string
  readonly applyConcurrency: number
  /** The `sync:` section as written (absent: sync with the mapping's directions, `manual`, `ignore`). */
  readonly sync: SyncSection
  /** Digest of the settings that change what a plan means (job, source, mapping path, target URL). */
  readonly digest: string
}

/** Values given on the command line, which win over the file's. */
export interface RunConfigOverrides {
  readonly targetUrl?: string | undefined
  readonly state?: string | undefined
  readonly outputDir?: string | undefined
}

const targetAuth = (target: typeof TargetSection.Type): typeof HttpAuth.Encoded =>
  target.token !== undefined
    ? { _tag: "Bearer", token: target.token }
    : target.apiKey !== undefined
    ? { _tag: "ApiKey", header: target.apiKeyHeader ?? "X-API-KEY", key: target.apiKey }
    : { _tag: "None" }

// A path in the file is relative to the file; shown relative to where the user stands.
const resolveFrom = (configFile: string, given: string): string =>
  /^postgres(ql)?:\/\//i.test(given) || path.isAbsolute(given)
    ? given
    : path.relative(process.cwd(), path.resolve(path.dirname(configFile), given)) || "."

/**
 * Loads the run configuration: YAML, `${VAR}` secrets from the environment, checked
 * against the schema with every mistake reported as file:line:column, then paths
 * resolved against the file and command-line overrides applied.
 */
export const loadRunConfig = (
  file: string,
  overrides: RunConfigOverrides = {},
  environment: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<RunConfig, ConfigFileError> =>
  Effect.gen(function*() {
    const yaml = yield* readYamlFile(file).pipe(Effect.flatMap((parsed) => substituteEnvironment(parsed, environment)))
    const config = yield* decodeYaml(RunConfigFile, yaml)
    const job = config.job ?? path.basename(file).replace(/\.ya?ml$/, "").replace(/[^A-Za-z0-9._-]/g, "-")
    const baseUrl = overrides.targetUrl ?? config.target.baseUrl
    const target = yield* decodeYaml(PeachClientConfig, yaml, {
      baseUrl,
      auth: targetAuth(config.target),
      timeoutMillis: config.target.timeoutMillis,
      maxAttempts: config.target.maxAttempts,
      requestsPerSecond: config.target.requestsPerSecond,
      concurrency: config.target.concurrency,
      pageSize: config.target.pageSize
    }, ["target"])
    const source = config.source.kind === "csv"
      ? { ...config.source, path: resolveFrom(file, config.source.path) }
      : typeof config.source.customers === "object" && "csv" in config.source.customers
      ? { ...config.source, customers: { ...config.source.customers, csv: { ...config.source.customers.csv, path: resolveFrom(file, config.source.customers.csv.path) } } }
      : config.source
    const mappingFile = resolveFrom(file, config.mapping)
    const digest = createHash("sha256")
      .update(JSON.stringify({ job, source: { ...source, apiKey: undefined }, mappingFile, baseUrl }))
      .digest("hex")
      .slice(0, 16)
    return {
      file,
      job,
      source,
      mappingFile,
      target,
      state: overrides.state ?? resolveFrom(file, config.state ?? ".casesync/state.db"),
      outputDir: overrides.outputDir ?? resolveFrom(file, config.output ?? `out/${job}`),
      applyConcurrency: config.applyConcurrency ?? 4,
      sync: config.sync ?? {},
      digest
    }
  })
