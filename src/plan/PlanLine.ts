/**
 * One item of a plan file as its line: plain JSON written without a Schema encode per item,
 * and compact where the reader can restore exactly what was left out. A `null` that the
 * item's schema allows (a reject's unknown key, a case never updated) is left out, and a
 * create's `values` are left out when they are the create body read at the case type's
 * owned fields (the header lists those per type), which is what the mapping makes. When the
 * header names a source file, a create of one of its lines leaves out its body as well and
 * refers to the record instead (`BodyReference.ts`). The writer checks that the reader would
 * restore the item exactly before leaving anything out.
 */
import { Either, Schema } from "effect"
import { decodeReferenceLine, type PlanEntry, referenceLine } from "./BodyReference.js"
import { readPathOrNull } from "./FieldValues.js"
import { PlanItem, type PlannedCreate } from "./Plan.js"

/** What the plan header tells a line's reader and writer: the owned fields of each case type id, and the source file creates refer to. */
export interface PlanLineContext {
  readonly ownedFields?: Readonly<Record<string, ReadonlyArray<string>>> | undefined
  readonly sourceFile?: { readonly options: { readonly path: string } } | undefined
}

const decodeItem = Schema.decodeUnknownEither(PlanItem)

/** A create's owned values as its body holds them (absent = null), in the case type's field order. */
const valuesFromBody = (body: Readonly<Record<string, unknown>>, fields: ReadonlyArray<string>): Record<string, unknown> => {
  const values: Record<string, unknown> = {}
  for (const field of fields) values[field] = readPathOrNull(body, field)
  return values
}

/** Whether `valuesFromBody` gives back exactly `values`: the same keys in the same order, the same values. */
const restoresValues = (body: Readonly<Record<string, unknown>>, values: Readonly<Record<string, unknown>>, fields: ReadonlyArray<string>) => {
  const keys = Object.keys(values)
  if (keys.length !== fields.length) return false
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (keys[i] !== field) return false
    const restored = readPathOrNull(body, field)
    const value = values[field]
    if (restored === value) continue
    if (typeof value !== "object" || value === null || JSON.stringify(restored) !== JSON.stringify(value)) return false
  }
  return true
}

const fieldsOf = (context: PlanLineContext, body: Readonly<Record<string, unknown>>) =>
  typeof body.typeId === "string" ? context.ownedFields?.[body.typeId] : undefined

// A create can refer to its record when the header names the file it came from and its values are its body's.
const isReferable = (item: PlannedCreate, context: PlanLineContext, fields: ReadonlyArray<string>): item is PlannedCreate & {
  readonly location: { readonly _tag: "csv"; readonly file: string; readonly line: number }
} => item.location._tag === "csv" && context.sourceFile !== undefined && item.location.file === context.sourceFile.options.path && restoresValues(item.body, item.values, fields)

/** The JSON text of one plan item's line (without the separating comma). */
export const encodePlanLine = (item: PlanItem, context: PlanLineContext = {}): string => {
  switch (item._tag) {
    case "create": {
      const fields = fieldsOf(context, item.body)
      if (fields !== undefined && isReferable(item, context, fields)) return referenceLine(item)
      // A body written out is used as it is: the digest of one made again has no place beside it.
      const { bodyDigest: _digest, ...whole } = item
      if (fields === undefined || !restoresValues(whole.body, whole.values, fields)) return JSON.stringify(whole)
      const { values: _, ...rest } = whole
      return JSON.stringify(rest)
    }
    case "reject": {
      const { externalId, sourceKey, ...rest } = item
      return JSON.stringify({
        _tag: rest._tag,
        location: rest.location,
        ...(sourceKey === null ? {} : { sourceKey }),
        ...(externalId === null ? {} : { externalId }),
        field: rest.field,
        reason: rest.reason,
        raw: rest.raw
      })
    }
    case "update":
    case "unchanged":
    case "conflict": {
      if (item.targetUpdatedAt !== null) return JSON.stringify(item)
      const { targetUpdatedAt: _, ...rest } = item
      return JSON.stringify(rest)
    }
  }
}

/** Restores and checks one parsed line: the plan item (a create by reference without its body), or what is wrong with it. */
export const decodePlanLine = (json: unknown, context: PlanLineContext = {}): Either.Either<PlanEntry, string> => {
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const line = json as Record<string, unknown>
    switch (line._tag) {
      case "create": {
        if (!("body" in line) && "digest" in line) {
          return context.sourceFile === undefined
            ? Either.left("a create that refers to its source record, in a plan whose header names no source file")
            : decodeReferenceLine(line, context.sourceFile.options.path)
        }
        const body = line.body
        if (!("values" in line) && body !== null && typeof body === "object") {
          const fields = fieldsOf(context, body as Record<string, unknown>)
          if (fields !== undefined) json = { ...line, values: valuesFromBody(body as Record<string, unknown>, fields) }
        }
        break
      }
      case "reject":
        json = { ...line, sourceKey: line.sourceKey ?? null, externalId: line.externalId ?? null }
        break
      case "update":
      case "unchanged":
      case "conflict":
        json = { ...line, targetUpdatedAt: line.targetUpdatedAt ?? null }
    }
  }
  return Either.mapLeft(decodeItem(json), (error) => error.message)
}
