import { Clock, Context, Data, Effect, Either, Layer, Ref } from "effect"
import type { KhorosCase, KhorosCaseCreate, KhorosCaseUpdate } from "../../sources/khoros/KhorosCase.js"
import type { KhorosObjectMeta } from "../../sources/khoros/KhorosMeta.js"
import { type FieldProblem, validateCaseCreate, validateCaseUpdate } from "./CaseValidation.js"
import { type KhorosCustomer, type KhorosSeed, sampleKhorosSeed } from "./KhorosSeed.js"

/**
 * A request the sandbox CRM refuses, with the status and the `{error, message, fields?}` body
 * the real CRM would answer, so that routes render it without deciding anything themselves.
 */
export class KhorosCrmRefusal extends Data.TaggedError("KhorosCrmRefusal")<{
  readonly status: 400 | 404
  readonly error: string
  readonly message: string
  readonly fields?: ReadonlyArray<FieldProblem>
}> {}

/** Everything the sandbox CRM holds, in creation order, for tests and demos to inspect. */
export interface KhorosCrmSnapshot {
  readonly customers: ReadonlyArray<KhorosCustomer>
  readonly cases: ReadonlyArray<KhorosCase>
}

/** The sandbox's in-memory Khoros-style CRM: customers, their cases and custom-field metadata. */
export class KhorosCrm extends Context.Tag("casesync/sandbox/KhorosCrm")<
  KhorosCrm,
  {
    readonly findCases: (customerId: string) => Effect.Effect<ReadonlyArray<KhorosCase>, KhorosCrmRefusal>
    readonly lookupCase: (caseId: string) => Effect.Effect<KhorosCase, KhorosCrmRefusal>
    readonly createCase: (body: unknown) => Effect.Effect<KhorosCase, KhorosCrmRefusal>
    readonly updateCase: (caseId: string, body: unknown) => Effect.Effect<KhorosCase, KhorosCrmRefusal>
    readonly meta: (objectType: string) => Effect.Effect<KhorosObjectMeta, KhorosCrmRefusal>
    readonly snapshot: Effect.Effect<KhorosCrmSnapshot>
    /** In-process only, for tests and the demo: an agent deletes a case (404 if there is none). */
    readonly removeCase: (caseId: string) => Effect.Effect<void, KhorosCrmRefusal>
    /**
     * In-process only: from now on every accepted update is passed through `normalise` before it
     * is stored (a CRM that trims or truncates what it is sent); `undefined` stores updates as sent.
     */
    readonly normaliseUpdates: (normalise: ((update: KhorosCaseUpdate) => KhorosCaseUpdate) | undefined) => Effect.Effect<void>
    /** Back to the seed: created cases and updates are forgotten, updates are stored as sent. */
    readonly reset: Effect.Effect<void>
  }
>() {}

/** Public base of the case links the sandbox CRM hands out (`url` of a case). */
export const sandboxCaseUrlBase = "https://crm.example.test/cases/"

interface State {
  readonly customers: ReadonlyMap<string, KhorosCustomer>
  readonly cases: ReadonlyMap<string, KhorosCase>
  readonly lastNumber: number
}

/** Builds a sandbox CRM holding `seed`; each call starts from a fresh copy, so tests never share state. */
export const makeKhorosCrm = (seed: KhorosSeed = sampleKhorosSeed) =>
  Effect.gen(function*() {
    const initial: State = {
      customers: new Map(seed.customers.map((c) => [c.id, c])),
      cases: new Map(seed.cases.map((c) => [c.id, c])),
      lastNumber: seed.cases.reduce((max, c) => Math.max(max, Number.parseInt(c.number, 10) || 0), 10000)
    }
    const state = yield* Ref.make(initial)
    const normaliser = yield* Ref.make<((update: KhorosCaseUpdate) => KhorosCaseUpdate) | undefined>(undefined)
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())
    const context = (s: State) => ({ caseMeta: seed.meta.case, customerExists: (id: string) => s.customers.has(id) })

    const caseOf = (s: State, caseId: string): Either.Either<KhorosCase, KhorosCrmRefusal> => {
      const found = s.cases.get(caseId)
      return found === undefined
        ? Either.left(new KhorosCrmRefusal({ status: 404, error: "CASE_NOT_FOUND", message: `No case exists with the ID ${caseId}` }))
        : Either.right(found)
    }

    const findCases = Effect.fn("KhorosCrm.findCases")(function*(customerId: string) {
      const s = yield* Ref.get(state)
      if (!s.customers.has(customerId)) {
        return yield* new KhorosCrmRefusal({
          status: 404,
          error: "CUSTOMER_NOT_FOUND",
          message: `No customer exists with the ID ${customerId}`
        })
      }
      return [...s.cases.values()].filter((c) => c.customerId === customerId)
    })

    const lookupCase = Effect.fn("KhorosCrm.lookupCase")(function*(caseId: string) {
      return yield* caseOf(yield* Ref.get(state), caseId)
    })

    const createCase = Effect.fn("KhorosCrm.createCase")(function*(body: unknown) {
      const timestamp = yield* now
      return yield* Ref.modify(state, (s): [Either.Either<KhorosCase, KhorosCrmRefusal>, State] => {
        const valid = validateCaseCreate(body, context(s))
        if (Either.isLeft(valid)) return [Either.left(invalid(valid.left)), s]
        const number = s.lastNumber + 1
        const created = newCase(valid.right, number, timestamp)
        return [Either.right(created), { ...s, cases: new Map(s.cases).set(created.id, created), lastNumber: number }]
      }).pipe(Effect.flatten)
    })

    const updateCase = Effect.fn("KhorosCrm.updateCase")(function*(caseId: string, body: unknown) {
      const timestamp = yield* now
      const normalise = (yield* Ref.get(normaliser)) ?? ((update: KhorosCaseUpdate) => update)
      return yield* Ref.modify(state, (s): [Either.Either<KhorosCase, KhorosCrmRefusal>, State] => {
        const current = caseOf(s, caseId)
        if (Either.isLeft(current)) return [current, s]
        const valid = validateCaseUpdate(body, current.right, context(s))
        if (Either.isLeft(valid)) return [Either.left(invalid(valid.left)), s]
        const updated = applyUpdate(current.right, normalise(valid.right), timestamp)
        return [Either.right(updated), { ...s, cases: new Map(s.cases).set(caseId, updated) }]
      }).pipe(Effect.flatten)
    })

    const meta = Effect.fn("KhorosCrm.meta")(function*(objectType: string) {
      if (objectType === "case") return seed.meta.case
      if (objectType === "customer") return seed.meta.customer
      return yield* new KhorosCrmRefusal({
        status: 404,
        error: "OBJECT_TYPE_NOT_FOUND",
        message: `No object type ${objectType}; the CRM describes customer and case`
      })
    })

    const snapshot = Effect.map(Ref.get(state), (s) => ({ customers: [...s.customers.values()], cases: [...s.cases.values()] }))

    const removeCase = Effect.fn("KhorosCrm.removeCase")(function*(caseId: string) {
      yield* Ref.modify(state, (s): [Either.Either<KhorosCase, KhorosCrmRefusal>, State] => {
        const current = caseOf(s, caseId)
        if (Either.isLeft(current)) return [current, s]
        const cases = new Map(s.cases)
        cases.delete(caseId)
        return [current, { ...s, cases }]
      }).pipe(Effect.flatten)
    })

    return KhorosCrm.of({
      findCases,
      lookupCase,
      createCase,
      updateCase,
      meta,
      snapshot,
      removeCase,
      normaliseUpdates: (normalise) => Ref.set(normaliser, normalise),
      reset: Effect.zipRight(Ref.set(state, initial), Ref.set(normaliser, undefined))
    })
  })

/** A layer with a fresh sandbox CRM seeded from `seed` (by default the samples in `samples/khoros/`). */
export const layerKhorosCrm = (seed: KhorosSeed = sampleKhorosSeed): Layer.Layer<KhorosCrm> =>
  Layer.effect(KhorosCrm, makeKhorosCrm(seed))

// == helpers

const invalid = (fields: ReadonlyArray<FieldProblem>) =>
  new KhorosCrmRefusal({
    status: 400,
    error: "INVALID_REQUEST",
    message: `The case was refused: ${fields.map((f) => `${f.name} ${f.errorMessage}`).join("; ")}`,
    fields
  })

const newCase = (body: KhorosCaseCreate, number: number, timestamp: string): KhorosCase => {
  const id = `KC-${number}`
  return {
    ...body,
    id,
    number: String(number),
    customerId: body.customerId,
    title: body.title,
    description: body.description ?? "",
    url: `${sandboxCaseUrlBase}${id}`,
    created: body.created ?? timestamp,
    lastUpdated: timestamp,
    status: body.status ?? "open",
    interactions: body.interactions ?? []
  }
}

const applyUpdate = (current: KhorosCase, changes: KhorosCaseUpdate, timestamp: string): KhorosCase => {
  const { interactions: attached, ...fields } = changes
  return {
    ...current,
    ...fields,
    interactions: attached === undefined ? current.interactions : [...(current.interactions ?? []), ...attached],
    lastUpdated: timestamp
  }
}
