import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import { type LinkStyle, type ResponseStyle, SandboxConfig } from "../SandboxOptions.js"
import { type Page, paginate, parsePageRequest } from "./Pagination.js"
import { queryParams } from "./PeachHttp.js"

/**
 * How the Peach-style sandbox writes its responses: how list links are spelled and
 * whether bodies look like an untidy real server's (see `ResponseStyle`).
 */
export class PeachWire extends Context.Tag("casesync/sandbox/PeachWire")<
  PeachWire,
  { readonly linkStyle: LinkStyle; readonly responses: ResponseStyle }
>() {
  static readonly layer = Layer.effect(
    PeachWire,
    Effect.map(SandboxConfig, (config) => ({ linkStyle: config.linkStyle, responses: config.responses }))
  )
}

/** What a response object is, for the fields a lean server leaves out or adds. */
export type WireKind = "case" | "caseType" | "person" | "other"

// Fields seed 002 shows for case types but no response promises.
const unpromisedCaseTypeFields = new Set(["createdAt", "description"])

/**
 * One object as a lean server writes it: no null-valued field, case types without
 * `createdAt` and `description`, and `object: "caseType"`, which the seeds do not
 * name (a client must ignore what it does not know). `full` leaves it as stored.
 */
export const toWire = (responses: ResponseStyle, kind: WireKind, value: unknown): unknown => {
  if (responses === "full" || value === null || typeof value !== "object" || Array.isArray(value)) return value
  const kept = Object.entries(value).filter(([key, field]) =>
    field !== null && !(kind === "caseType" && unpromisedCaseTypeFields.has(key))
  )
  return Object.fromEntries(kind === "caseType" ? [...kept, ["object", "caseType"]] : kept)
}

/** `{status: 200, message, data}` with `data` as the configured style writes it. */
export const itemResponse = (message: string, kind: WireKind, data: unknown) =>
  Effect.map(PeachWire, (wire) =>
    HttpServerResponse.unsafeJson({ status: 200, message, data: toWire(wire.responses, kind, data) }))

/** `{status: 200, count, data}`: a list without paging (escalations, seed 000). */
export const unpagedResponse = (data: ReadonlyArray<unknown>) =>
  Effect.map(PeachWire, (wire) =>
    HttpServerResponse.unsafeJson({ status: 200, count: data.length, data: data.map((e) => toWire(wire.responses, "other", e)) }))

/** Lists are ordered by id, as a real server's index may order them, not by creation. */
export const byId = <A>(items: ReadonlyArray<A>, idOf: (a: A) => string): ReadonlyArray<A> =>
  [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))

/**
 * One page of `items` (ordered by id) for the request's paging query, as
 * `{status, total, count, nextUrl, previousUrl, data}`; links are root-relative paths
 * of the request (base path included) or absolute URLs on the request's host.
 */
export const pageResponse = <A>(
  kind: WireKind,
  items: ReadonlyArray<A>,
  idOf: (a: A) => string,
  filters: ReadonlyArray<readonly [string, string]> = []
) =>
  Effect.gen(function*() {
    const wire = yield* PeachWire
    const request = yield* HttpServerRequest.HttpServerRequest
    const page = yield* parsePageRequest(yield* queryParams)
    const origin = wire.linkStyle === "absolute" ? `http://${request.headers["host"] ?? "127.0.0.1"}` : ""
    const result: Page<A> = yield* paginate(byId(items, idOf), idOf, page, `${origin}${request.url.split("?")[0]!}`, filters)
    return HttpServerResponse.unsafeJson({
      status: 200,
      ...result,
      data: result.data.map((item) => toWire(wire.responses, kind, item))
    })
  })
