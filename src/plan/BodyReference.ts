/**
 * A create of a CSV plan refers to its source record instead of holding its body: the body is
 * what the mapping makes of that record, so the line keeps only what apply needs before it reads
 * the source again (keys, borrower, line) and a short digest of the body. Apply makes the body
 * again from the same file (sealed in the header by its SHA-256 and size) with the same mapping
 * (sealed by its digest) and sends it only if it matches the digest. This keeps a million-create
 * plan near 150 MB instead of 500 MB, and a plan still says exactly what will be written.
 *
 *   {"_tag":"create","line":2,"sourceKey":"LB-0","externalId":"legacy-LB-0","personId":"BO-…","digest":"…"}
 */
import { Either, ParseResult, Schema } from "effect"
import type { SourceLocation } from "../sources/SourceRecord.js"
import type { PlanItem, PlannedCreate } from "./Plan.js"
import { sha256Base64url16 } from "./Sha256.js"

/** A create as its reference line says it: everything but the body (and its owned values), with the body's digest. */
export interface CreateReference {
  readonly _tag: "create"
  readonly sourceKey: string
  readonly externalId: string
  readonly location: Extract<SourceLocation, { _tag: "csv" }>
  readonly personId: string
  readonly bodyDigest: string
}

/** One line of a plan file as written: an item whole, or a create whose body is in the source. */
export type PlanEntry = PlanItem | CreateReference

/** Whether an entry is a create whose body apply must make again from the source. */
export const isReference = (entry: PlanEntry): entry is CreateReference => entry._tag === "create" && !("body" in entry)

/**
 * The JSON text of a value with object keys sorted at every depth, and what JSON would leave out
 * (an `undefined` property) left out: the same body gives the same text whatever order the
 * mapping built it in. Written as plain string building: it runs once per create of a plan.
 */
export const canonicalJson = (value: unknown): string => {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null"
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return canonicalJson((value as { toJSON: () => unknown }).toJSON())
  if (Array.isArray(value)) {
    let text = "["
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      text += (i === 0 ? "" : ",") + (item === undefined || typeof item === "function" ? "null" : canonicalJson(item))
    }
    return `${text}]`
  }
  const record = value as Record<string, unknown>
  let text = "{"
  let first = true
  const sorted = sortedKeysOf(record)
  for (let i = 0; i < sorted.length; i++) {
    const [key, quoted] = sorted[i]!
    const item = record[key]
    if (item === undefined || typeof item === "function") continue
    text += `${first ? "" : ","}${quoted}:${canonicalJson(item)}`
    first = false
  }
  return `${text}}`
}

/** An object's keys in sorted order, each with its JSON text. */
type SortedKeys = ReadonlyArray<readonly [key: string, quoted: string]>

// Every body of a mapping has one of a few key sets: sort and quote each set once. Known sets are
// found by their length, then compared key by key (no joined text to build for every object).
const shapesByLength = new Map<number, Array<{ readonly keys: ReadonlyArray<string>; readonly sorted: SortedKeys }>>()
const sortedKeysOf = (record: Record<string, unknown>): SortedKeys => {
  const keys = Object.keys(record)
  let shapes = shapesByLength.get(keys.length)
  if (shapes === undefined) shapesByLength.set(keys.length, shapes = [])
  search: for (let s = 0; s < shapes.length; s++) {
    const known = shapes[s]!.keys
    for (let i = 0; i < keys.length; i++) if (known[i] !== keys[i]) continue search
    return shapes[s]!.sorted
  }
  const sorted = [...keys].sort().map((key) => [key, JSON.stringify(key)] as const)
  if (shapes.length < 64) shapes.push({ keys, sorted })
  return sorted
}

/** The digest a reference line records of a body: the first 16 bytes of the SHA-256 of its canonical JSON, base64url (22 characters). */
export const bodyDigestOf = (body: Readonly<Record<string, unknown>>): string => sha256Base64url16(canonicalJson(body))

/** How every reference line starts, and no line that holds its body: the writer tells the two apart by it. */
export const referenceLinePrefix = "{\"_tag\":\"create\",\"line\":"

/** The reference line of a create whose location is a line of the header's source file (it starts with `referenceLinePrefix`). */
export const referenceLine = (item: PlannedCreate & { readonly location: { readonly _tag: "csv"; readonly line: number } }): string =>
  JSON.stringify({
    _tag: "create",
    line: item.location.line,
    sourceKey: item.sourceKey,
    externalId: item.externalId,
    personId: item.personId,
    digest: bodyDigestOf(item.body)
  })

const ReferenceLine = Schema.Struct({
  _tag: Schema.Literal("create"),
  line: Schema.Int.pipe(Schema.positive()),
  sourceKey: Schema.String,
  externalId: Schema.String,
  personId: Schema.String,
  digest: Schema.String
})
const decodeLine = Schema.decodeUnknownEither(ReferenceLine, { onExcessProperty: "error" })

/** Reads a reference line back, its location in `file` (the header's source file); or what is wrong with it. */
export const decodeReferenceLine = (json: unknown, file: string): Either.Either<CreateReference, string> =>
  Either.map(
    Either.mapLeft(decodeLine(json), (error) => ParseResult.TreeFormatter.formatErrorSync(error)),
    (line): CreateReference => ({
      _tag: "create",
      sourceKey: line.sourceKey,
      externalId: line.externalId,
      location: { _tag: "csv", file, line: line.line },
      personId: line.personId,
      bodyDigest: line.digest
    })
  )
