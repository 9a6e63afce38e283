import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Effect, Layer, Option, Stream } from "effect"
import { statSync } from "node:fs"
import type { RunConfig } from "../config/RunConfig.js"
import type { HttpRequestError } from "../http/HttpRequestError.js"
import { type Extent, unknownExtent } from "../progress/Progress.js"
import { PeachClient } from "../target/PeachClient.js"
import { ReadMeter, readCsv } from "./csv/CsvSource.js"
import { SealingMeter, type SourceSeal } from "./SealingMeter.js"
import type { CsvSourceError } from "./csv/CsvSourceError.js"
import { KhorosClient, layerKhorosClient, makeKhorosPolicy } from "./khoros/KhorosClient.js"
import { customerIds, type KhorosCustomerListError, type KhorosCustomerSource } from "./khoros/KhorosCustomers.js"
import type { KhorosObjectMeta } from "./khoros/KhorosMeta.js"
import { knownCaseFields, type KhorosReadSummary, readKhoros } from "./khoros/KhorosSource.js"
import type { SourceItem } from "./SourceRecord.js"

/** Any way reading a source can fail as a whole (a bad row never does: it becomes an Unreadable item). */
export type SourceError = CsvSourceError | KhorosCustomerListError | HttpRequestError

/** A source opened from the run config: its records, what it is, and the field names a mapping may use. */
export interface OpenedSource {
  /** Shown in plans and reports: `csv samples/csv/legacy-cases.csv`, `khoros http://…/crm`. */
  readonly description: string
  readonly items: Stream.Stream<SourceItem, SourceError>
  /** The source's field names (CSV header; CRM documented and custom fields), for mapping checks and coverage. */
  readonly fields: Effect.Effect<Option.Option<ReadonlyArray<string>>, SourceError>
  /** For the CRM: its `/meta/object/case` (the kind of each custom property), read once with `fields`. */
  readonly caseMeta?: Effect.Effect<KhorosObjectMeta, SourceError> | undefined
  /** For the CRM: customers read, without cases, unknown (complete once `items` has ended). */
  readonly summary: Effect.Effect<Option.Option<KhorosReadSummary>>
  /** How much there is to read, for progress: a CSV's bytes read against its size; the CRM's is unknown. */
  readonly extent: Effect.Effect<Extent>
  /** For a CSV file: the SHA-256 and size of the bytes `items` read, once it has read them all (none before, and none for the CRM). */
  readonly seal?: Effect.Effect<Option.Option<SourceSeal>> | undefined
}

/** A CSV file's size and the bytes `meter` saw read; unknown if the file cannot be looked at (reading will say why). */
const bytesOf = (path: string, meter: ReadMeter): Effect.Effect<Extent> =>
  Effect.sync((): Extent => {
    try {
      return { _tag: "Bytes", size: statSync(path).size, read: () => meter.bytesRead }
    } catch {
      return unknownExtent
    }
  })

const customersOf = (customers: RunConfig["source"] & { kind: "khoros" }): KhorosCustomerSource =>
  customers.customers === "borrowers"
    ? { _tag: "Borrowers" }
    : "ids" in customers.customers
    ? { _tag: "List", ids: customers.customers.ids }
    : { _tag: "CsvColumn", csv: customers.customers.csv, column: customers.customers.column }

/**
 * Opens the source a run config names; the CRM's customers may come from the target's borrowers.
 * `crmHttp` carries the CRM's requests (sync passes one that counts them).
 */
export const openSource = (
  config: RunConfig,
  crmHttp: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
): Effect.Effect<OpenedSource, never, PeachClient> =>
  Effect.gen(function*() {
    const source = config.source
    if (source.kind === "csv") {
      const meter = new SealingMeter()
      return {
        description: `csv ${source.path}`,
        items: readCsv(source, meter),
        fields: readCsv(source).pipe(
          Stream.filter((item) => item._tag === "Record"),
          Stream.runHead,
          Effect.map(Option.map((item) => Object.keys(item._tag === "Record" ? item.data : {})))
        ),
        summary: Effect.succeed(Option.none()),
        extent: bytesOf(source.path, meter),
        seal: Effect.sync(() => meter.seal)
      }
    }
    const peach = yield* PeachClient
    const crm = layerKhorosClient(makeKhorosPolicy({
      baseUrl: source.baseUrl,
      apiKey: source.apiKey,
      apiKeyHeader: source.apiKeyHeader,
      timeoutMillis: source.timeoutMillis,
      maxAttempts: source.maxAttempts,
      requestsPerSecond: source.requestsPerSecond,
      concurrency: source.concurrency
    })).pipe(Layer.provide(crmHttp))
    const ids = customerIds(customersOf(source), () => peach.listPeople())
    const read = yield* readKhoros(ids, { concurrency: source.customerConcurrency ?? 4 })
    // One request serves the mapping check and sync's field kinds: a cycle's cost counts it once.
    const caseMeta = yield* Effect.cached(
      Effect.flatMap(KhorosClient, (client) => client.getMeta("case")).pipe(
        Effect.provide(crm),
        Effect.withSpan("KhorosSource.fetchCaseMeta")
      )
    )
    return {
      description: `khoros ${source.baseUrl}`,
      items: read.items.pipe(Stream.provideLayer(crm)),
      fields: Effect.map(caseMeta, (meta) => Option.some(knownCaseFields(meta))),
      caseMeta,
      summary: Effect.map(read.summary, Option.some),
      extent: Effect.succeed(unknownExtent)
    }
  })
