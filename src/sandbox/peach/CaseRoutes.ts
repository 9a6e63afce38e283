import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import {
  AddAssociation,
  AssociationObjectType,
  type Case,
  CaseCreate,
  CaseUpdate,
  EscalationRequest,
  SnoozeRequest
} from "../../domain/peach/index.js"
import { invalidField } from "../ApiError.js"
import {
  activeEscalations,
  addAssociation,
  cancelSnooze,
  escalate,
  escalationsOf,
  markViewed,
  removeAssociation,
  snooze
} from "./CaseSubresources.js"
import { createCase, updateCase } from "./CaseWrites.js"
import { decodeBody, noContent, pathParam, queryParams, singleQuery } from "./PeachHttp.js"
import { caseOr404, personOr404 } from "./PeachLookups.js"
import { PeachState } from "./PeachState.js"
import { allCases } from "./PeachStore.js"
import { itemResponse, pageResponse, unpagedResponse } from "./PeachWire.js"

const caseId = (c: Case) => c.id

/** `associations` query of `GET .../cases/{caseId}` (seed 001) mapped to the stored object types. */
const associationFilter = {
  all: undefined,
  documents: "document",
  cases: "case",
  interactions: "interaction",
  loans: "loan"
} as const

/**
 * Seed 001 options of a case read: `associations` keeps only links of one kind (`all`:
 * every link); `include=a,b` keeps only those fields (plus `id` and `object`).
 */
const shapeCase = (c: Case, query: Readonly<Record<string, string | ReadonlyArray<string>>>) =>
  Either.gen(function*() {
    const associations = yield* singleQuery(query, "associations")
    let shaped: Record<string, unknown> = { ...c }
    if (associations !== undefined) {
      if (!(associations in associationFilter)) {
        return yield* Either.left(
          invalidField("associations", `must be one of ${Object.keys(associationFilter).join(", ")}, got "${associations}"`)
        )
      }
      const kind = associationFilter[associations as keyof typeof associationFilter]
      shaped = { ...shaped, associations: (c.associations ?? []).filter((a) => kind === undefined || a.objectType === kind) }
    }
    const includeRaw = query["include"]
    if (includeRaw !== undefined) {
      const fields = new Set(
        ["id", "object", ...(typeof includeRaw === "string" ? [includeRaw] : includeRaw).flatMap((v) => v.split(","))]
          .map((f) => f.trim()).filter((f) => f !== "")
      )
      shaped = Object.fromEntries(Object.entries(shaped).filter(([k]) => fields.has(k)))
    }
    return shaped
  })

const personAndCase = Effect.all([pathParam("personId"), pathParam("caseId")])

/** The Peach-style case routes (seed 000), every one under a borrower except the company-wide lists. */
export const caseRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/cases",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      return yield* pageResponse("case", allCases(store), caseId)
    })
  ),
  HttpRouter.get(
    "/cases/escalations",
    Effect.gen(function*() {
      const data = activeEscalations(yield* Effect.flatMap(PeachState, (s) => s.snapshot))
      return yield* unpagedResponse(data)
    })
  ),
  HttpRouter.post(
    "/people/:personId/cases",
    Effect.gen(function*() {
      const personId = yield* pathParam("personId")
      const body = yield* decodeBody(CaseCreate, "case")
      const state = yield* PeachState
      return yield* itemResponse("Case created", "case", yield* state.write(createCase(personId, body)))
    })
  ),
  HttpRouter.get(
    "/people/:personId/cases",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      const person = yield* personOr404(store, yield* pathParam("personId"))
      const cases = allCases(store).filter((c) => c.people.includes(person.id) || c.borrowerIds.includes(person.id))
      return yield* pageResponse("case", cases, caseId)
    })
  ),
  HttpRouter.get(
    "/people/:personId/cases/:caseId",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      const found = yield* caseOr404(store, yield* personOr404(store, personId), caseRef)
      return yield* itemResponse("Case", "case", yield* shapeCase(found, yield* queryParams))
    })
  ),
  HttpRouter.put(
    "/people/:personId/cases/:caseId",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const body = yield* decodeBody(CaseUpdate, "case update")
      const state = yield* PeachState
      return yield* itemResponse("Case updated", "case", yield* state.write(updateCase(personId, caseRef, body)))
    })
  ),
  HttpRouter.post(
    "/people/:personId/cases/:caseId/associations",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const body = yield* decodeBody(AddAssociation, "association")
      yield* Effect.flatMap(PeachState, (s) => s.write(addAssociation(personId, caseRef, body)))
      return noContent
    })
  ),
  HttpRouter.del(
    "/people/:personId/cases/:caseId/associations",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const query = yield* queryParams
      const objectType = yield* singleQuery(query, "objectType")
      const objectId = yield* singleQuery(query, "objectId")
      if (objectType === undefined || !Schema.is(AssociationObjectType)(objectType)) {
        return yield* invalidField("objectType", `must be one of ${AssociationObjectType.literals.join(", ")}`)
      }
      if (objectId === undefined || objectId === "") return yield* invalidField("objectId", "is required")
      yield* Effect.flatMap(PeachState, (s) => s.write(removeAssociation(personId, caseRef, objectType, objectId)))
      return noContent
    })
  ),
  HttpRouter.post(
    "/people/:personId/cases/:caseId/views",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      yield* Effect.flatMap(PeachState, (s) => s.write(markViewed(personId, caseRef)))
      return noContent
    })
  ),
  HttpRouter.post(
    "/people/:personId/cases/:caseId/escalations",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const body = yield* decodeBody(EscalationRequest, "escalation")
      yield* Effect.flatMap(PeachState, (s) => s.write(escalate(personId, caseRef, body)))
      return noContent
    })
  ),
  HttpRouter.get(
    "/people/:personId/cases/:caseId/escalations",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      const found = yield* caseOr404(store, yield* personOr404(store, personId), caseRef)
      const data = escalationsOf(store, found.id)
      return yield* unpagedResponse(data)
    })
  ),
  HttpRouter.post(
    "/people/:personId/cases/:caseId/snooze",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      const body = yield* decodeBody(SnoozeRequest, "snooze")
      yield* Effect.flatMap(PeachState, (s) => s.write(snooze(personId, caseRef, body.snoozeFor)))
      return noContent
    })
  ),
  HttpRouter.del(
    "/people/:personId/cases/:caseId/snooze",
    Effect.gen(function*() {
      const [personId, caseRef] = yield* personAndCase
      yield* Effect.flatMap(PeachState, (s) => s.write(cancelSnooze(personId, caseRef)))
      return noContent
    })
  )
)
