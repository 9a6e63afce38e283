import type { Located, Pos } from "./PositionedYaml.js"
import type { Template } from "./Template.js"

/**
 * The mapping file as read, before it is checked against the target: every value keeps
 * the line and column it was written at so later checks can point at it.
 */

/** A plain YAML value usable in `map:`, `const:` and `default:`. */
export type Scalar = string | number | boolean | null

/** Where a field's value comes from: exactly one per field. */
export type FieldSource =
  | { readonly _tag: "From"; readonly path: Located<string> }
  | { readonly _tag: "Const"; readonly value: Located<unknown> }
  | { readonly _tag: "Template"; readonly template: Located<Template> }
  | { readonly _tag: "Compute"; readonly expression: Located<string> }

/** One `code: value` line of a `map:` or `reverse:`. */
export interface MapEntry {
  readonly from: string
  readonly to: Located<Scalar>
}

/** A value map (`map:` or `reverse:`), keys compared as text. */
export interface MapSpec {
  readonly entries: ReadonlyArray<MapEntry>
  readonly pos: Pos
}

/** `lookup: { file, key, value }`: a CSV table, `file` relative to the mapping file. */
export interface LookupSpec {
  readonly file: Located<string>
  readonly key: Located<string>
  readonly value: Located<string>
  readonly pos: Pos
}

/** `datetime: { timezone?, format? }`. */
export interface DatetimeSpec {
  readonly timezone: Located<string> | undefined
  readonly format: Located<string> | undefined
  readonly pos: Pos
}

/** `truncate: N` or `truncate: { max, marker }`. */
export interface TruncateSpec {
  readonly max: number
  readonly marker: string
  readonly pos: Pos
}

/** Value types a CSV string can be coerced to with `type:`. */
export const valueTypes = ["string", "integer", "number", "boolean", "date"] as const
export type ValueType = (typeof valueTypes)[number]

/**
 * Which way two-way sync carries a field: `toTarget` only feeds the target (migrate always
 * does), `both` also writes target changes back, `toSource` is owned by the target and only
 * written back (migrate still sets it on create). `both` and `toSource` need an exact way back.
 */
export type Direction = "toTarget" | "both" | "toSource"

/** One entry of `fields:`: a target field and how its value is made from the source record. */
export interface FieldSpec {
  readonly target: Located<string>
  readonly source: FieldSource
  readonly trim: boolean
  readonly required: Located<boolean> | undefined
  readonly default: Located<Scalar> | undefined
  readonly map: MapSpec | undefined
  readonly reverse: MapSpec | undefined
  readonly lookup: LookupSpec | undefined
  readonly type: Located<ValueType> | undefined
  readonly datetime: DatetimeSpec | undefined
  readonly truncate: TruncateSpec | undefined
  readonly direction: Located<Direction>
  readonly onlyFor: ReadonlyArray<Located<string>> | undefined
  readonly pos: Pos
}

/** How the borrower of a case is found. */
export type BorrowerSpec =
  | { readonly _tag: "Template"; readonly as: "externalId" | "id"; readonly template: Located<Template> }
  | {
    readonly _tag: "Lookup"
    readonly from: Located<string>
    readonly lookup: LookupSpec
    readonly as: "externalId" | "id"
    readonly pos: Pos
  }

/** Which case type a record becomes: one named type, or one chosen per record by a value map. */
export type CaseTypeSpec =
  | { readonly _tag: "Name"; readonly name: Located<string> }
  | { readonly _tag: "Id"; readonly id: Located<string> }
  | { readonly _tag: "Base"; readonly base: Located<string> }
  | { readonly _tag: "FromMap"; readonly from: Located<string>; readonly map: MapSpec; readonly pos: Pos }

/** A whole mapping file. */
export interface MappingSpec {
  readonly description: string | undefined
  readonly externalId: Located<Template>
  readonly key: Located<Template> | undefined
  readonly borrower: BorrowerSpec
  readonly caseType: CaseTypeSpec
  readonly fields: ReadonlyArray<FieldSpec>
  readonly ignore: ReadonlyArray<Located<string>>
}
