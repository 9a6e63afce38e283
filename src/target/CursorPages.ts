import { Chunk, Effect, Option, Stream } from "effect"
import type { Schema } from "effect"
import { ListEnvelope } from "../domain/peach/index.js"
import { Decode, type HttpRequestError, Invalid } from "../http/HttpRequestError.js"
import { type JsonApiClient, type QueryValue, resolveUrl } from "../http/JsonApiClient.js"

/** Where a list read starts and how big its pages are. */
export interface PageOptions {
  /** Items per request, 1..100 (sent as `limit`); the client's configured page size when absent. */
  readonly pageSize?: number | undefined
  /** Resume after this item id (a checkpoint from an earlier read). */
  readonly startingAfter?: string | undefined
}

/** What one list endpoint needs to be followed page by page. */
export interface CursorList<A, I> {
  readonly path: string
  readonly query?: Readonly<Record<string, QueryValue>> | undefined
  readonly item: Schema.Schema<A, I, never>
  /** The item's id, for `startingAfter` when the server gives no `nextUrl`. */
  readonly idOf: (item: A) => string
}

/** The absolute URL of the next request: a link is a URL, never a path under the API root. */
type Cursor = string

/** The link with `limit` added when the server left it out, so every page has the asked size. */
const withLimit = (url: URL, pageSize: number): URL => {
  if (!url.searchParams.has("limit")) url.searchParams.set("limit", String(pageSize))
  return url
}

/**
 * Streams every item of a cursor-paginated list (seed 002 rules): the first page
 * with `limit`, then each `nextUrl` until it is null. A `nextUrl` is a link from the
 * server, resolved against the URL of the page it came in (RFC 3986), so absolute,
 * root-relative and relative links all work under an API root with a base path.
 * A link to another origin is refused (the credentials would go with it). When a
 * server omits `nextUrl` altogether but filled the page, the next page is asked for
 * with `startingAfter=<last id>`. One request per page, lazily.
 */
export const followCursor = <A, I>(
  api: JsonApiClient,
  list: CursorList<A, I>,
  pageSize: number,
  startingAfter: string | undefined
): Stream.Stream<A, HttpRequestError> => {
  const first: Cursor = resolveUrl(api.policy.baseUrl, list.path, { ...list.query, limit: pageSize, startingAfter })
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    return Stream.fail(
      new Invalid({
        method: "GET",
        url: resolveUrl(api.policy.baseUrl, list.path),
        attempt: 1,
        serverMessage: "refused before sending",
        fieldErrors: [{ field: "limit", message: `page size must be an integer from 1 to 100, got ${pageSize}` }]
      })
    )
  }
  const envelope = ListEnvelope(list.item)
  const badLink = (cursor: Cursor, message: string) =>
    Effect.fail(
      new Decode({
        method: "GET",
        url: cursor,
        attempt: 1,
        status: 200,
        path: "nextUrl",
        issues: [{ path: "nextUrl", message }],
        detail: message
      })
    )

  const nextCursor = (
    cursor: Cursor,
    page: typeof envelope.Type
  ): Effect.Effect<Option.Option<Cursor>, HttpRequestError> => {
    if (page.data.length === 0) return Effect.succeedNone
    if (typeof page.nextUrl === "string" && page.nextUrl !== "") {
      let next: URL
      try {
        next = withLimit(new URL(page.nextUrl, cursor), pageSize)
      } catch {
        return badLink(cursor, `nextUrl ${JSON.stringify(page.nextUrl)} is not a URL`)
      }
      const origin = new URL(cursor).origin
      if (next.origin !== origin) {
        return badLink(cursor, `nextUrl ${next.href} leaves the API's origin ${origin}; casesync does not send its credentials there`)
      }
      // A server that hands back the page it just served would make this stream loop forever.
      if (next.href === cursor) return badLink(cursor, "nextUrl points at the page just read")
      return Effect.succeedSome(next.href)
    }
    if (page.nextUrl === undefined && page.data.length >= pageSize) {
      const last = page.data[page.data.length - 1]!
      return Effect.succeedSome(
        resolveUrl(api.policy.baseUrl, list.path, { ...list.query, limit: pageSize, startingAfter: list.idOf(last) })
      )
    }
    return Effect.succeedNone
  }

  return Stream.paginateChunkEffect(first, (cursor) =>
    api.json({ method: "GET", path: cursor }, envelope).pipe(
      Effect.flatMap((page) =>
        Effect.map(nextCursor(cursor, page), (next) => [Chunk.fromIterable(page.data), next] as const)
      )
    ))
}
