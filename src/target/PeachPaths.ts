import { extId } from "../domain/peach/index.js"

/** One path segment, percent-encoded so an externalId with `/`, spaces or `?` cannot change the route. */
export const segment = (id: string): string => encodeURIComponent(id)

/** `/people/{personId}`. */
export const personPath = (personId: string): string => `/people/${segment(personId)}`

/** `/people/{personId}/cases`. */
export const casesPath = (personId: string): string => `${personPath(personId)}/cases`

/** `/people/{personId}/cases/{caseId}`; either id may be `ext-<externalId>`. */
export const casePath = (personId: string, caseId: string): string => `${casesPath(personId)}/${segment(caseId)}`

/** `/people/{personId}/cases/ext-<externalId>`: a case addressed by the lender's id (seed 001). */
export const caseByExternalIdPath = (personId: string, externalId: string): string =>
  casePath(personId, extId(externalId))

/** `/case-types/{caseTypeId}`. */
export const caseTypePath = (caseTypeId: string): string => `/case-types/${segment(caseTypeId)}`
