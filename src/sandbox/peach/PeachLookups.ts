import { Either, Option } from "effect"
import type { Case, CaseType, Person } from "../../domain/peach/index.js"
import { type ApiError, invalidField, notFound } from "../ApiError.js"
import { activeVersion, findCase, findPerson, type PeachStore, typeVersions } from "./PeachStore.js"

/** The borrower a path names (Peach id or `ext-<externalId>`), or 404. */
export const personOr404 = (store: PeachStore, ref: string): Either.Either<Person, ApiError> =>
  Option.match(findPerson(store, ref), {
    onNone: () => Either.left(notFound(`No person ${ref}`)),
    onSome: Either.right
  })

/** The case a path names, if it belongs to `person`; otherwise 404. */
export const caseOr404 = (store: PeachStore, person: Person, ref: string): Either.Either<Case, ApiError> =>
  Option.match(
    Option.filter(findCase(store, ref), (c) => c.people.includes(person.id) || c.borrowerIds.includes(person.id)),
    {
      onNone: () => Either.left(notFound(`No case ${ref} for person ${person.id}`)),
      onSome: Either.right
    }
  )

/** The case type version new cases of `typeId` use (its active one); 400 on `typeId` otherwise. */
export const activeTypeOr400 = (store: PeachStore, typeId: string): Either.Either<CaseType, ApiError> => {
  const versions = typeVersions(store, typeId)
  if (versions.length === 0) return Either.left(invalidField("typeId", `no case type ${typeId}`))
  return Option.match(activeVersion(store, typeId), {
    onNone: () =>
      Either.left(
        invalidField(
          "typeId",
          `case type ${typeId} has no active version (versions: ${
            versions.map((v) => `${v.version} ${v.status}`).join(", ")
          }); activate one before creating cases of it`
        )
      ),
    onSome: Either.right
  })
}

/** The case type version a case was created with (from its `caseTypeMeta`), else its type's current one. */
export const versionOfCase = (store: PeachStore, c: Case): Option.Option<CaseType> => {
  const versions = typeVersions(store, c.typeId)
  const exact = c.caseTypeMeta === undefined
    ? undefined
    : versions.find((v) => v.version === c.caseTypeMeta!.version)
  return Option.fromNullable(exact ?? versions.find((v) => v.status === "active") ?? versions[versions.length - 1])
}

/** A case type version for `GET/PUT /case-types/{id}`: the given `version`, else the active one, else the latest; or 404. */
export const caseTypeOr404 = (
  store: PeachStore,
  typeId: string,
  version: number | undefined
): Either.Either<CaseType, ApiError> => {
  const versions = typeVersions(store, typeId)
  const found = version !== undefined
    ? versions.find((v) => v.version === version)
    : versions.find((v) => v.status === "active") ?? versions[versions.length - 1]
  return found === undefined
    ? Either.left(notFound(version === undefined ? `No case type ${typeId}` : `No version ${version} of case type ${typeId}`))
    : Either.right(found)
}
