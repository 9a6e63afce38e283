import { Either } from "effect"
import { type ApiError, invalidField } from "../ApiError.js"
import { singleQuery } from "./PeachHttp.js"

/** A validated `limit` / `startingAfter` / `endingBefore` (seed 002, applied to every list). */
export interface PageRequest {
  readonly limit: number
  readonly startingAfter?: string
  readonly endingBefore?: string
}

/** A page of a list as the list envelope carries it. */
export interface Page<A> {
  readonly total: number
  readonly count: number
  readonly nextUrl: string | null
  readonly previousUrl: string | null
  readonly data: ReadonlyArray<A>
}

/** Page size when `limit` is absent. */
export const defaultLimit = 25
/** Largest `limit` allowed. */
export const maxLimit = 100

/** Reads the paging parameters: `limit` an integer 1..100 (default 25); `startingAfter` and `endingBefore` exclusive. */
export const parsePageRequest = (
  query: Readonly<Record<string, string | ReadonlyArray<string>>>
): Either.Either<PageRequest, ApiError> =>
  Either.gen(function*() {
    const rawLimit = yield* singleQuery(query, "limit")
    const startingAfter = yield* singleQuery(query, "startingAfter")
    const endingBefore = yield* singleQuery(query, "endingBefore")
    let limit = defaultLimit
    if (rawLimit !== undefined) {
      limit = /^-?\d+$/.test(rawLimit.trim()) ? Number(rawLimit) : Number.NaN
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        return yield* Either.left(invalidField("limit", `must be an integer from 1 to ${maxLimit}, got "${rawLimit}"`))
      }
    }
    if (startingAfter !== undefined && endingBefore !== undefined) {
      return yield* Either.left(invalidField("endingBefore", "cannot be combined with startingAfter"))
    }
    return {
      limit,
      ...(startingAfter === undefined ? {} : { startingAfter }),
      ...(endingBefore === undefined ? {} : { endingBefore })
    }
  })

/**
 * One page of `items` (already in list order). `startingAfter=X` gives up to `limit`
 * items after X; `endingBefore=X` the `limit` items right before X; a cursor that is
 * not in the list answers 400. `nextUrl` / `previousUrl` are `path?query` (`path` as
 * given: the request's path, or its absolute URL), keep the other query parameters
 * (filters), and are null when no item lies beyond the page in that direction (or
 * the page is empty).
 */
export const paginate = <A>(
  items: ReadonlyArray<A>,
  idOf: (item: A) => string,
  request: PageRequest,
  path: string,
  filters: ReadonlyArray<readonly [string, string]> = []
): Either.Either<Page<A>, ApiError> => {
  const positionOf = (field: "startingAfter" | "endingBefore", id: string) => {
    const index = items.findIndex((item) => idOf(item) === id)
    return index === -1 ? Either.left(invalidField(field, `no item with id ${id} in this list`)) : Either.right(index)
  }
  return Either.map(
    request.startingAfter !== undefined
      ? Either.map(positionOf("startingAfter", request.startingAfter), (i) => [i + 1, i + 1 + request.limit] as const)
      : request.endingBefore !== undefined
      ? Either.map(positionOf("endingBefore", request.endingBefore), (i) => [Math.max(0, i - request.limit), i] as const)
      : Either.right([0, request.limit] as const),
    ([start, end]) => {
      const data = items.slice(start, end)
      const link = (cursor: "startingAfter" | "endingBefore", id: string) => {
        const query = new URLSearchParams([...filters.map(([k, v]): [string, string] => [k, v]), ["limit", String(request.limit)], [cursor, id]])
        return `${path}?${query.toString()}`
      }
      const first = data[0]
      const last = data[data.length - 1]
      return {
        total: items.length,
        count: data.length,
        nextUrl: last !== undefined && start + data.length < items.length ? link("startingAfter", idOf(last)) : null,
        previousUrl: first !== undefined && start > 0 ? link("endingBefore", idOf(first)) : null,
        data
      }
    }
  )
}
