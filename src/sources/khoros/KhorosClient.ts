import type { HttpClient } from "@effect/platform"
import { Context, Effect, Either, Layer, Schema } from "effect"
import { issuesOf } from "../../http/ContractIssues.js"
import { type HttpPolicy, makeHttpPolicy } from "../../http/HttpPolicy.js"
import type { DecodeIssue, HttpRequestError } from "../../http/HttpRequestError.js"
import { jsonBody, makeJsonApiClient } from "../../http/JsonApiClient.js"
import { plainDecoder } from "../../http/PlainDecoder.js"
import { KhorosCase, KhorosCaseCreate, KhorosCaseUpdate } from "./KhorosCase.js"
import { readKhorosErrorBody } from "./KhorosErrorBody.js"
import { KhorosObjectMeta, type KhorosObjectType } from "./KhorosMeta.js"

/**
 * An element of a findCases answer that is not a valid case (a missing title, a wrong status):
 * kept with its position, raw JSON and reasons so the one case can be rejected while the
 * customer's other cases are still read.
 */
export interface MalformedCase {
  readonly index: number
  /** The element's `id` when it has a string one. */
  readonly caseId: string | undefined
  readonly raw: unknown
  readonly issues: ReadonlyArray<DecodeIssue>
}

/** One element of a findCases answer: a decoded case, or the element that could not be decoded. */
export type FoundCase = Either.Either<KhorosCase, MalformedCase>

/**
 * Client of the Khoros-style CRM API (seed 003 and the seeds README) on the shared request
 * policy: retries, pacing and typed errors (`NotFound` for an unknown customer or case,
 * `Invalid` with the CRM's per-field messages, `Unauthorized` for a bad API key).
 */
export class KhorosClient extends Context.Tag("casesync/KhorosClient")<
  KhorosClient,
  {
    /** `GET /customer/{id}/cases`: every case of a customer, element by element. */
    readonly findCases: (customerId: string) => Effect.Effect<ReadonlyArray<FoundCase>, HttpRequestError>
    /** `GET /case/{id}`: one case. */
    readonly lookupCase: (caseId: string) => Effect.Effect<KhorosCase, HttpRequestError>
    /** `POST /case`: creates a case (201 with the created case); never retried blindly after an ambiguous failure. */
    readonly createCase: (body: KhorosCaseCreate) => Effect.Effect<KhorosCase, HttpRequestError>
    /** `PUT /case/{id}`: changes fields and attaches interactions (201 with the updated case). */
    readonly updateCase: (caseId: string, body: KhorosCaseUpdate) => Effect.Effect<KhorosCase, HttpRequestError>
    /** `GET /meta/object/{type}`: the custom fields of customers or cases. */
    readonly getMeta: (objectType: KhorosObjectType) => Effect.Effect<KhorosObjectMeta, HttpRequestError>
  }
>() {}

/** What a Khoros connection needs besides the shared policy's tuning: where, and which API key in which header. */
export type KhorosConnection = Omit<typeof HttpPolicy.Encoded, "auth"> & {
  readonly apiKey: string
  /** Header carrying the key (default `X-API-KEY`). */
  readonly apiKeyHeader?: string
}

/** Builds the shared request policy for the CRM: API-key auth plus the policy's documented defaults. */
export const makeKhorosPolicy = ({ apiKey, apiKeyHeader, ...policy }: KhorosConnection): HttpPolicy =>
  makeHttpPolicy({ ...policy, auth: { _tag: "ApiKey", header: apiKeyHeader ?? "X-API-KEY", key: apiKey } })

/** Builds a client speaking to the CRM under `policy`, on the provided `HttpClient`. */
export const makeKhorosClient = (policy: HttpPolicy): Effect.Effect<KhorosClient["Type"], never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const api = yield* makeJsonApiClient(policy, { readErrorBody: readKhorosErrorBody })
    const id = encodeURIComponent

    const findCases = Effect.fn("KhorosClient.findCases")(function*(customerId: string) {
      const elements = yield* api.json({ method: "GET", path: `/customer/${id(customerId)}/cases` }, CaseArray)
      return elements.map(decodeFoundCase)
    })

    const lookupCase = Effect.fn("KhorosClient.lookupCase")(function*(caseId: string) {
      return yield* api.json({ method: "GET", path: `/case/${id(caseId)}` }, KhorosCase)
    })

    const createCase = Effect.fn("KhorosClient.createCase")(function*(body: KhorosCaseCreate) {
      return yield* api.json({ method: "POST", path: "/case", body: jsonBody(KhorosCaseCreate, body) }, KhorosCase)
    })

    const updateCase = Effect.fn("KhorosClient.updateCase")(function*(caseId: string, body: KhorosCaseUpdate) {
      // Attached interactions are appended, so a blind resend after an ambiguous failure would attach them twice.
      const idempotent = (body.interactions ?? []).length === 0
      return yield* api.json(
        { method: "PUT", path: `/case/${id(caseId)}`, body: jsonBody(KhorosCaseUpdate, body), idempotent },
        KhorosCase
      )
    })

    const getMeta = Effect.fn("KhorosClient.getMeta")(function*(objectType: KhorosObjectType) {
      return yield* api.json({ method: "GET", path: `/meta/object/${objectType}` }, KhorosObjectMeta)
    })

    return KhorosClient.of({ findCases, lookupCase, createCase, updateCase, getMeta })
  })

/** The CRM client as a layer, for a given policy (see `makeKhorosPolicy`). */
export const layerKhorosClient = (policy: HttpPolicy): Layer.Layer<KhorosClient, never, HttpClient.HttpClient> =>
  Layer.effect(KhorosClient, makeKhorosClient(policy))

// == helpers

/** The findCases answer must be an array; its elements are decoded one by one. */
const CaseArray = Schema.Array(Schema.Unknown)

// Plain code for the cases it takes, Schema for the rest: a sync cycle reads every case of every customer.
const decodeCaseElement = plainDecoder(KhorosCase, Schema.decodeUnknownEither(KhorosCase, { errors: "all" }))

const decodeFoundCase = (raw: unknown, index: number): FoundCase =>
  Either.mapLeft(decodeCaseElement(raw), (error) => {
    const maybeId = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["id"] : undefined
    return { index, caseId: typeof maybeId === "string" ? maybeId : undefined, raw, issues: issuesOf(error) }
  })
