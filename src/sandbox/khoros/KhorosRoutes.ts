import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import type { ApiError } from "../ApiError.js"
import type { SandboxCredentials } from "../SandboxOptions.js"
import { KhorosCrm, KhorosCrmRefusal } from "./KhorosCrm.js"

/** Where the CRM lives on the sandbox server: its API root is `<sandbox url>/crm`. */
export const khorosPathPrefix = "/crm"

/** The CRM's error body `{error, message, fields?}` for a refusal of the sandbox CRM. */
export const renderRefusal = (refusal: KhorosCrmRefusal): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    {
      error: refusal.error,
      message: refusal.message,
      ...(refusal.fields === undefined ? {} : { fields: refusal.fields })
    },
    { status: refusal.status }
  )

/** Error codes for the errors the shared sandbox pipeline raises (401, 429, injected faults). */
const codeByStatus: Readonly<Record<number, string>> = {
  400: "INVALID_REQUEST",
  401: "INVALID_API_KEY",
  404: "NOT_FOUND",
  429: "RATE_LIMITED",
  500: "UNEXPECTED_ERROR",
  503: "SERVICE_UNAVAILABLE"
}

/** Renders a pipeline error in the CRM's shape, keeping its headers (e.g. `Retry-After`). */
export const renderKhorosError = (error: ApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    {
      error: codeByStatus[error.status] ?? `HTTP_${error.status}`,
      message: error.status === 401 ? "API key is invalid or has become de-authenticated" : error.message,
      ...(error.errors === undefined
        ? {}
        : { fields: error.errors.map((e) => ({ name: e.field, errorMessage: e.message })) })
    },
    { status: error.status, ...(error.headers === undefined ? {} : { headers: error.headers }) }
  )

/** The CRM authenticates by API key in `X-API-KEY` (the sandbox's configured `apiKey`). */
export const authorizeKhoros = (
  request: HttpServerRequest.HttpServerRequest,
  credentials: SandboxCredentials
): boolean => request.headers["x-api-key"] === credentials.apiKey

/**
 * The CRM's routes under `/crm`: findCases, lookupCase, createCase (201), updateCase
 * (`PUT`, 201) and the object meta. Refusals are answered here in the CRM's own shape.
 */
export const khorosRouter: HttpRouter.HttpRouter<ApiError, KhorosCrm> = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/customer/:id/cases",
    answer(200, (crm, params) => crm.findCases(params.id))
  ),
  HttpRouter.get(
    "/case/:id",
    answer(200, (crm, params) => crm.lookupCase(params.id))
  ),
  HttpRouter.post(
    "/case",
    answer(201, (crm, _, body) => Effect.flatMap(body, crm.createCase))
  ),
  HttpRouter.put(
    "/case/:id",
    answer(201, (crm, params, body) => Effect.flatMap(body, (json) => crm.updateCase(params.id, json)))
  ),
  HttpRouter.get(
    "/meta/object/:type",
    answer(200, (crm, params) => crm.meta(params.type))
  ),
  HttpRouter.prefixAll(khorosPathPrefix)
)

// == helpers

/** Runs a CRM operation with the route's path parameters and body, answering `status` with its result or the refusal. */
function answer(
  status: number,
  operation: (
    crm: KhorosCrm["Type"],
    params: Readonly<Record<string, string>>,
    body: Effect.Effect<unknown, KhorosCrmRefusal>
  ) => Effect.Effect<unknown, KhorosCrmRefusal>
) {
  return Effect.gen(function*() {
    const crm = yield* KhorosCrm
    const params = yield* HttpRouter.params
    const request = yield* HttpServerRequest.HttpServerRequest
    const present = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v ?? ""]))
    return yield* operation(crm, present, jsonBody(request)).pipe(
      Effect.map((result) => HttpServerResponse.unsafeJson(result, { status })),
      Effect.catchTag("KhorosCrmRefusal", (refusal) => Effect.succeed(renderRefusal(refusal)))
    )
  })
}

const jsonBody = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<unknown, KhorosCrmRefusal> =>
  Effect.catchAll(request.json, () =>
    Effect.fail(
      new KhorosCrmRefusal({
        status: 400,
        error: "INVALID_REQUEST",
        message: "The request body must be a JSON object",
        fields: [{ name: "body", errorMessage: "not valid JSON" }]
      })
    ))
