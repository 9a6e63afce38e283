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

interface Cursor {
  readonly path: string
  readonly query: Readonly<Record<string, QueryValue>>
}

const hasLimit = (url: string): boolean => new URL(url, "http://relative.invalid").searchParams.has("limit")

/**
 * Streams every item of a cursor-paginated list (seed 002 rules): the first page
 * with `limit`, then each `nextUrl` (a path relative to the API root) until it is
 * null. When a server omits `nextUrl` altogether but filled the page, the next page
 * is asked for with `startingAfter=<last id>`. One request per page, lazily.
 */
export const followCursor = <A, I>(
  api: JsonApiClient,
  list: CursorList<A, I>,
  pageSize: number,
  startingAfter: string | undefined
): Stream.Stream<A, HttpRequestError> => {
  const first: Cursor = { path: list.path, query: { ...list.query, limit: pageSize, startingAfter } }
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

  const nextCursor = (
    cursor: Cursor,
    page: typeof envelope.Type
  ): Effect.Effect<Option.Option<Cursor>, HttpRequestError> => {
    if (page.data.length === 0) return Effect.succeedNone
    if (typeof page.nextUrl === "string" && page.nextUrl !== "") {
      if (page.nextUrl === cursor.path) {
        // A server that hands back the page it just served would make this stream loop forever.
        const message = "nextUrl points at the page just read"
        return Effect.fail(
          new Decode({
            method: "GET",
            url: resolveUrl(api.policy.baseUrl, cursor.path, cursor.query),
            attempt: 1,
            status: 200,
            path: "nextUrl",
            issues: [{ path: "nextUrl", message }],
            detail: message
          })
        )
      }
      return Effect.succeedSome({ path: page.nextUrl, query: { limit: hasLimit(page.nextUrl) ? undefined : pageSize } })
    }
    if (page.nextUrl === undefined && page.data.length >= pageSize) {
      const last = page.data[page.data.length - 1]!
      return Effect.succeedSome({ path: list.path, query: { ...list.query, limit: pageSize, startingAfter: list.idOf(last) } })
    }
    return Effect.succeedNone
  }

  return Stream.paginateChunkEffect(first, (cursor) =>
    api.json({ method: "GET", path: cursor.path, query: cursor.query }, envelope).pipe(
      Effect.flatMap((page) =>
        Effect.map(nextCursor(cursor, page), (next) => [Chunk.fromIterable(page.data), next] as const)
      )
    ))
}
