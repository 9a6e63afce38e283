import { Either, Schema, SchemaAST as AST } from "effect"
import { type CaseType, CaseCreate, type CustomFieldSchema, isCalendarDate, offsetDateTimeProblem } from "../domain/peach/index.js"
import { describeType } from "./ActiveCaseTypes.js"
import { suggestion } from "./PositionedYaml.js"

/** What values a target field holds, as far as load-time checks and record validation care. */
export type TargetKind =
  | { readonly _tag: "string"; readonly maxLength: number | undefined }
  | { readonly _tag: "number" }
  | { readonly _tag: "integer" }
  | { readonly _tag: "boolean" }
  | { readonly _tag: "date" }
  | { readonly _tag: "dateTime" }
  | { readonly _tag: "enum"; readonly values: ReadonlyArray<string> }
  | { readonly _tag: "json" }

/** A target field a mapping writes: its dotted path, its kind and whether the case type requires it. */
export interface TargetField {
  readonly path: string
  readonly kind: TargetKind
  readonly required: boolean
  /** How messages name it: `status`, `custom field crmNumber of case type 'CRM conversation' (106)`. */
  readonly description: string
}

/** Fields the mapping fills through its own keys (externalId, borrower, caseType) or that are not values. */
const notMappable = new Set(["typeId", "externalId", "people", "borrowerIds", "caseType", "associations"])

const withoutNullish = (ast: AST.AST): AST.AST => {
  if (!AST.isUnion(ast)) return ast
  // `optional(NullOr(x))` nests unions: flatten them, then drop undefined and null.
  const flatten = (node: AST.AST): ReadonlyArray<AST.AST> => (AST.isUnion(node) ? node.types.flatMap(flatten) : [node])
  const members = flatten(ast).filter((member) => !AST.isUndefinedKeyword(member) && !(AST.isLiteral(member) && member.literal === null))
  return members.length === 1 ? members[0]! : AST.Union.make(members)
}

const kindOfAst = (ast: AST.AST): TargetKind | undefined => {
  if (AST.isRefinement(ast)) {
    const identifier = AST.getIdentifierAnnotation(ast)
    if (identifier._tag === "Some" && identifier.value === "OffsetDateTime") return { _tag: "dateTime" }
    if (identifier._tag === "Some" && identifier.value === "IsoDate") return { _tag: "date" }
    return kindOfAst(ast.from)
  }
  if (AST.isStringKeyword(ast)) return { _tag: "string", maxLength: undefined }
  if (AST.isBooleanKeyword(ast)) return { _tag: "boolean" }
  if (AST.isNumberKeyword(ast)) return { _tag: "number" }
  if (AST.isLiteral(ast) && typeof ast.literal === "string") return { _tag: "enum", values: [ast.literal] }
  if (AST.isUnion(ast) && ast.types.every((member) => AST.isLiteral(member) && typeof member.literal === "string")) {
    return { _tag: "enum", values: ast.types.map((member) => String((member as AST.Literal).literal)) }
  }
  if (AST.isTypeLiteral(ast) && ast.indexSignatures.length > 0) return { _tag: "json" }
  return undefined
}

/** Whether `kindOfAst` saw all of a type: no refinement it does not know (a pattern, a length) was passed over. */
const isWhollyKnown = (ast: AST.AST): boolean => {
  if (AST.isRefinement(ast)) {
    const identifier = AST.getIdentifierAnnotation(ast)
    return identifier._tag === "Some" && (identifier.value === "OffsetDateTime" || identifier.value === "IsoDate")
  }
  return !(AST.isTypeLiteral(ast) && ast.indexSignatures.length > 0)
}

/** Top-level fields of `CaseCreate` (and of its nested structs, dotted) with their kinds, read from the contract itself. */
const { topLevel, whollyChecked } = (() => {
  const out = new Map<string, TargetKind>()
  const wholly = new Set<string>()
  const walk = (prefix: string, ast: AST.TypeLiteral) => {
    for (const signature of ast.propertySignatures) {
      const name = `${prefix}${String(signature.name)}`
      if (notMappable.has(name)) continue
      const type = withoutNullish(signature.type)
      if (AST.isTypeLiteral(type) && type.propertySignatures.length > 0) walk(`${name}.`, type)
      else {
        const kind = kindOfAst(type)
        if (kind !== undefined) out.set(name, kind)
        if (kind !== undefined && prefix === "" && isWhollyKnown(type)) wholly.add(name)
      }
    }
  }
  walk("", CaseCreate.ast as AST.TypeLiteral)
  return { topLevel: out as ReadonlyMap<string, TargetKind>, whollyChecked: wholly as ReadonlySet<string> }
})()

/**
 * Whether a value that passed `checkValue` for this target path is sure to pass `CaseCreate` too:
 * true for a custom field or a metaData key (any JSON value) and for a top-level field whose whole
 * type `checkValue` knows; false for a nested struct's field (the struct may need its other fields)
 * and a type with a rule `checkValue` does not check. The planner skips the body's schema check
 * only when every field of a mapping is of the first kind.
 */
export const isWhollyChecked = (path: string): boolean => {
  const head = path.split(".")[0]
  if ((head === "customFields" || head === "metaData") && path.length > head.length + 1) return true
  return whollyChecked.has(path)
}

/** The order of `CaseCreate`'s own fields: the order its schema gives a decoded body's keys. */
export const createFieldOrder: ReadonlyArray<string> = (CaseCreate.ast as AST.TypeLiteral).propertySignatures.map((s) => String(s.name))

const customKind = (field: CustomFieldSchema): TargetKind => {
  switch (field.type) {
    case "string":
      return { _tag: "string", maxLength: field.maxLength }
    case "enum":
      return { _tag: "enum", values: field.values ?? [] }
    default:
      return { _tag: field.type }
  }
}

/**
 * Resolves a dotted target path for one case type: a `CaseCreate` field (`status`,
 * `matchDetails.nameMatch`), a custom field of that type (`customFields.crmNumber`) or a
 * key under `metaData` (`metaData.description`). Explains when the path is none of these.
 */
export const resolveTarget = (path: string, caseType: CaseType): Either.Either<TargetField, string> => {
  const [head, ...rest] = path.split(".")
  if (head === "customFields") {
    const name = rest.join(".")
    const custom = (caseType.customFieldSchemas ?? []).find((field) => field.name === name)
    if (custom !== undefined) {
      return Either.right({
        path,
        kind: customKind(custom),
        required: custom.required === true,
        description: `custom field ${name} of case type ${describeType(caseType)}`
      })
    }
    const names = (caseType.customFieldSchemas ?? []).map((field) => field.name)
    return Either.left(
      `${name === "" ? "customFields needs a field name" : `'${name}' is not a custom field`} of case type ${describeType(caseType)}${
        suggestion(name, names)
      } (its custom fields: ${names.join(", ") || "none"})`
    )
  }
  if (head === "metaData") {
    return rest.length > 0 && rest.every((segment) => segment !== "")
      ? Either.right({ path, kind: { _tag: "json" }, required: false, description: path })
      : Either.left("metaData needs a key, e.g. metaData.description")
  }
  const kind = topLevel.get(path)
  if (kind !== undefined) return Either.right({ path, kind, required: false, description: path })
  if (notMappable.has(path)) {
    return Either.left(`${path} is set by the mapping's ${path === "typeId" || path === "caseType" ? "caseType" : path === "externalId" ? "externalId" : "borrower"} key, not by a field`)
  }
  return Either.left(
    `'${path}' is not a field of a case${suggestion(path, [...topLevel.keys(), "customFields.", "metaData."])} (fields: ${
      [...topLevel.keys()].join(", ")
    }, customFields.<name>, metaData.<key>)`
  )
}

const isOffsetDateTime = (text: string) => offsetDateTimeProblem(text) === undefined

// Only a refusal shows the value: a plain function, not a closure made for every field of every record.
const shown = (value: unknown): string => JSON.stringify(value)

/** Checks one value against a target field; `undefined` when it fits, else why not. */
export const checkValue = (field: TargetField, value: unknown): string | undefined => {
  const kind = field.kind
  switch (kind._tag) {
    case "json":
      return undefined
    case "string":
      if (typeof value !== "string") return `expected a text, got ${shown(value)}`
      return kind.maxLength !== undefined && value.length > kind.maxLength
        ? `is ${value.length} characters; ${field.description} allows at most ${kind.maxLength} (add truncate: to cut it)`
        : undefined
    case "enum":
      return typeof value === "string" && kind.values.includes(value)
        ? undefined
        : `${shown(value)} is not allowed; expected one of ${kind.values.join(", ")}`
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : `expected a number, got ${shown(value)}`
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? undefined : `expected a whole number, got ${shown(value)}`
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected true or false, got ${shown(value)}`
    case "date":
      return typeof value === "string" && isCalendarDate(value) ? undefined : `expected a date YYYY-MM-DD, got ${shown(value)}`
    case "dateTime":
      return typeof value === "string" && isOffsetDateTime(value)
        ? undefined
        : `expected a date-time with a UTC offset, got ${shown(value)}`
  }
}

/** Names a kind for messages: `a boolean`, `one of low, medium, high`. */
export const describeKind = (kind: TargetKind): string => {
  switch (kind._tag) {
    case "string":
      return kind.maxLength === undefined ? "a text" : `a text of at most ${kind.maxLength} characters`
    case "enum":
      return `one of ${kind.values.join(", ")}`
    case "json":
      return "any JSON value"
    case "integer":
      return "a whole number"
    case "dateTime":
      return "a date-time"
    default:
      return `a ${kind._tag}`
  }
}
