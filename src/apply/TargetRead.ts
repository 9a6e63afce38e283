import { Effect, Option, Stream } from "effect"
import type { Case } from "../domain/peach/Case.js"
import type { HttpRequestError } from "../http/HttpRequestError.js"
import type { PlanEntry } from "../plan/BodyReference.js"
import { indexTargetCases, type TargetIndex } from "../plan/TargetIndex.js"
import type { PeachClientService } from "../target/PeachClient.js"

/** What staleness checks need from a plan: the externalIds it writes and the borrowers they belong to. */
export interface WrittenCases {
  readonly externalIds: ReadonlySet<string>
  readonly borrowers: ReadonlySet<string>
}

/** Collects the externalIds and borrowers of the plan's creates and updates (the only items whose target state is re-read). */
export const writtenCasesOf = <E, R>(items: Stream.Stream<PlanEntry, E, R>): Effect.Effect<WrittenCases, E, R> =>
  Stream.runFold(items, { externalIds: new Set<string>(), borrowers: new Set<string>() }, (acc, item) => {
    if (item._tag === "create" || item._tag === "update") {
      acc.externalIds.add(item.externalId)
      acc.borrowers.add(item.personId)
    }
    return acc
  })

/** How the written cases are read, and the requests it takes (at least; a borrower with more than a page takes more). */
export type ReadRoute =
  | { readonly _tag: "Nothing"; readonly requests: 0 }
  | { readonly _tag: "FirstPage"; readonly requests: 1 }
  | { readonly _tag: "CompanyList"; readonly requests: number }
  | { readonly _tag: "PerBorrower"; readonly requests: number }

/**
 * Picks the cheaper read once the company list's first page is in: that page alone when it holds
 * the whole list; else the whole company list again (`ceil(total / pageSize)` requests) or one list
 * per borrower (at least one request each), whichever is fewer. An unknown total: the company list.
 */
export const chooseRoute = (
  written: WrittenCases,
  firstPage: { readonly cases: number; readonly total: Option.Option<number> },
  pageSize: number
): ReadRoute => {
  if (written.externalIds.size === 0) return { _tag: "Nothing", requests: 0 }
  if (Option.isSome(firstPage.total) && firstPage.total.value <= firstPage.cases) return { _tag: "FirstPage", requests: 1 }
  const pages = Option.map(firstPage.total, (total) => Math.ceil(total / pageSize))
  return Option.isSome(pages) && written.borrowers.size < pages.value
    ? { _tag: "PerBorrower", requests: 1 + written.borrowers.size }
    : { _tag: "CompanyList", requests: 1 + Option.getOrElse(pages, () => 1) }
}

/**
 * Reads only what the plan writes and keeps only those cases: what `apply --plan` judges staleness
 * against. A plan writing nothing reads nothing; one borrower is read with its own list straight away.
 */
export const readWrittenCases = (
  client: Pick<PeachClientService, "firstCompanyCasesPage" | "listCompanyCases" | "listBorrowerCases" | "config">,
  written: WrittenCases,
  ownedFields: ReadonlyArray<string>
): Effect.Effect<{ readonly index: TargetIndex; readonly route: ReadRoute }, HttpRequestError> =>
  Effect.gen(function*() {
    const perBorrower = (): Stream.Stream<Case, HttpRequestError> =>
      Stream.fromIterable(written.borrowers).pipe(
        // An unknown borrower has no cases to check (the target refuses its create on its own).
        Stream.flatMap((personId) => client.listBorrowerCases(personId).pipe(Stream.catchTag("NotFound", () => Stream.empty)))
      )
    const [route, cases] = yield* Effect.gen(function*() {
      if (written.externalIds.size === 0) return [{ _tag: "Nothing", requests: 0 } as ReadRoute, Stream.empty] as const
      if (written.borrowers.size === 1) return [{ _tag: "PerBorrower", requests: 1 } as ReadRoute, perBorrower()] as const
      const first = yield* client.firstCompanyCasesPage()
      const route = chooseRoute(written, { cases: first.cases.length, total: first.total }, client.config.pageSize)
      const cases: Stream.Stream<Case, HttpRequestError> = route._tag === "FirstPage"
        ? Stream.fromIterable(first.cases)
        : route._tag === "PerBorrower"
        ? perBorrower()
        : client.listCompanyCases()
      return [route, cases] as const
    })
    const index = yield* indexTargetCases(
      cases.pipe(Stream.filter((kase) => typeof kase.externalId === "string" && written.externalIds.has(kase.externalId))),
      ownedFields
    )
    return { index, route }
  })
