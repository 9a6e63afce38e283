/**
 * A schema's decode as plain code, for the response bodies casesync reads in bulk: a million-case
 * listing decoded by Effect Schema's parser costs about 65 µs a case, most of a big target's
 * listing. The plain decoder is built once per schema from its AST and gives the value the
 * schema's decode gives; for a body it cannot vouch for (anything invalid, or a schema using a
 * construct it does not know) it gives nothing, and the schema decodes that body instead, so
 * errors and every construct outside the subset below keep Schema's exact behaviour.
 *
 * The subset is what the Peach-style response schemas use: primitives, literals, refinements
 * (their own filters are run), arrays, structs with an index signature keyed by string,
 * unions tried in order, and structs whose optional fields have defaults.
 */
import { Either, Option, type ParseResult, type Schema, SchemaAST as AST } from "effect"

/** What a plain parser returns for an input it does not accept. */
const refused: unique symbol = Symbol("refused")
type Parser = (input: unknown) => unknown

const parseOptions: AST.ParseOptions = { errors: "all" }

// A union member with a required literal field (a tag) is chosen by Schema's search tree, not in
// order; such unions are left to the schema.
const hasTagFields = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "Refinement":
      return hasTagFields(ast.from)
    case "Transformation":
      return hasTagFields(ast.from)
    case "Suspend":
    case "Declaration":
      return true
    case "TypeLiteral":
      return ast.propertySignatures.some((ps) => !ps.isOptional && AST.isLiteral(AST.encodedAST(ps.type)))
    case "TupleType":
      return ast.elements.some((element) => !element.isOptional && AST.isLiteral(AST.encodedAST(element.type)))
    default:
      return false
  }
}

const compiled = new WeakMap<AST.AST, Parser | null>()

/** The plain parser of `ast`, or undefined when it uses a construct outside the subset. */
const compile = (ast: AST.AST): Parser | undefined => {
  const known = compiled.get(ast)
  if (known !== undefined) return known ?? undefined
  const parser = build(ast)
  compiled.set(ast, parser ?? null)
  return parser
}

const build = (ast: AST.AST): Parser | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string" ? u : refused
    case "NumberKeyword":
      return (u) => typeof u === "number" ? u : refused
    case "BooleanKeyword":
      return (u) => typeof u === "boolean" ? u : refused
    case "UndefinedKeyword":
      return (u) => u === undefined ? u : refused
    case "UnknownKeyword":
    case "AnyKeyword":
      return (u) => u
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal ? u : refused
    }
    case "Refinement": {
      const from = compile(ast.from)
      if (from === undefined) return undefined
      return (u) => {
        const value = from(u)
        return value === refused || Option.isSome(ast.filter(value, parseOptions, ast)) ? refused : value
      }
    }
    case "Union": {
      if (ast.types.some(hasTagFields)) return undefined
      const members = ast.types.map(compile)
      if (members.some((member) => member === undefined)) return undefined
      const parsers = members as ReadonlyArray<Parser>
      return (u) => {
        for (const parse of parsers) {
          const value = parse(u)
          if (value !== refused) return value
        }
        return refused
      }
    }
    case "TupleType": {
      // Only a plain array: no fixed elements, one rest type.
      if (ast.elements.length > 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0]!.type)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return refused
        const out: Array<unknown> = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const value = item(u[i])
          if (value === refused) return refused
          out[i] = value
        }
        return out
      }
    }
    case "TypeLiteral":
      return typeLiteral(ast)
    case "Transformation":
      return transformation(ast)
    default:
      return undefined
  }
}

/**
 * A struct whose fields have defaults (Schema's TypeLiteralTransformation): the encoded side, then
 * each field's decode (it sees Some(value) or None, its result replaces the field), then the type
 * side. When every such field was present and keeps its name, the type side is checked in place:
 * the object already has the type side's keys in its order, so it is the value Schema builds anew.
 */
const transformation = (ast: AST.Transformation): Parser | undefined => {
  if (ast.transformation._tag !== "TypeLiteralTransformation") return undefined
  const from = compile(ast.from)
  const typeLiterals = AST.isTypeLiteral(ast.from) && AST.isTypeLiteral(ast.to)
  const to = typeLiterals ? typeLiteral(ast.to as AST.TypeLiteral, ast.from as AST.TypeLiteral) : compile(ast.to)
  const inPlace = typeLiterals ? checkedInPlace(ast.to as AST.TypeLiteral, ast.from as AST.TypeLiteral) : undefined
  if (from === undefined || to === undefined) return undefined
  const steps = ast.transformation.propertySignatureTransformations
  return (u) => {
    const value = from(u)
    if (value === refused) return refused
    const record = value as Record<PropertyKey, unknown>
    let reordered = false
    for (const step of steps) {
      const present = Object.prototype.hasOwnProperty.call(record, step.from)
      const decoded = step.decode(present ? Option.some(record[step.from]) : Option.none())
      if (present && step.from === step.to && Option.isSome(decoded)) {
        record[step.to] = decoded.value
        continue
      }
      reordered = true
      delete record[step.from]
      if (Option.isSome(decoded)) record[step.to] = decoded.value
    }
    return inPlace !== undefined && !reordered ? inPlace(record) : to(record)
  }
}

/**
 * The type side of a struct transformation checked on the object the encoded side produced: only
 * the fields whose type differs from the encoded side's (the rest were checked and reparse to
 * themselves). Undefined when the index signatures differ too or a field's type is outside the subset.
 */
const checkedInPlace = (ast: AST.TypeLiteral, decodedBy: AST.TypeLiteral): Parser | undefined => {
  const sameIndexes = ast.indexSignatures.length === decodedBy.indexSignatures.length &&
    ast.indexSignatures.every((is, i) =>
      is.parameter === decodedBy.indexSignatures[i]!.parameter && is.type === decodedBy.indexSignatures[i]!.type && reparsesToItself(is.type)
    )
  if (!sameIndexes) return undefined
  const checks: Array<{ readonly name: string; readonly optional: boolean; readonly parse: Parser }> = []
  for (const ps of ast.propertySignatures) {
    if (typeof ps.name !== "string") return undefined
    if (checkedBefore(decodedBy, ps.name, ps.type)) continue
    const parse = compile(ps.type)
    if (parse === undefined) return undefined
    checks.push({ name: ps.name, optional: ps.isOptional, parse })
  }
  return (u) => {
    const record = u as Record<string, unknown>
    for (const check of checks) {
      // An absent required field would be added out of order: Schema decides those.
      if (!Object.prototype.hasOwnProperty.call(record, check.name)) {
        if (check.optional) continue
        return refused
      }
      const value = check.parse(record[check.name])
      if (value === refused) return refused
      record[check.name] = value
    }
    return record
  }
}

/** Whether a field of this name and type was checked already by the encoded side `decodedBy`, so it need not be again. */
const checkedBefore = (decodedBy: AST.TypeLiteral | undefined, name: PropertyKey, type: AST.AST): boolean =>
  decodedBy !== undefined && reparsesToItself(type) && decodedBy.propertySignatures.some((ps) => ps.name === name && ps.type === type)

/**
 * Whether parsing a value this AST already produced gives it back unchanged: true without
 * transformations, and without unions where more than one member could take an object.
 */
const reparsesToItself = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "UndefinedKeyword":
    case "UnknownKeyword":
    case "AnyKeyword":
    case "Literal":
      return true
    case "Refinement":
      return reparsesToItself(ast.from)
    case "TupleType":
      return ast.elements.length === 0 && ast.rest.every((rest) => reparsesToItself(rest.type))
    case "TypeLiteral":
      return ast.propertySignatures.every((ps) => reparsesToItself(ps.type)) && ast.indexSignatures.every((is) => reparsesToItself(is.type))
    case "Union":
      return ast.types.every(reparsesToItself) &&
        ast.types.filter((member) => member._tag !== "Literal" && member._tag !== "UndefinedKeyword").length <= 1
    default:
      return false
  }
}

const passThrough: Parser = (u) => u

/**
 * A struct: its fields in order, then (with an index signature keyed by string) every other key.
 * With `decodedBy`, the struct is the type side of a transformation whose encoded side is
 * `decodedBy`: a field of the same type there was checked already and reparses to itself, so
 * it is passed through (Schema checks it again; the result is the same).
 */
const typeLiteral = (ast: AST.TypeLiteral, decodedBy?: AST.TypeLiteral): Parser | undefined => {
  if (ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0) {
    return (u) => u === null || u === undefined ? refused : u
  }
  if (ast.indexSignatures.length > 1) return undefined
  const index = ast.indexSignatures[0]
  if (index !== undefined && index.parameter._tag !== "StringKeyword") return undefined
  const indexChecked = index !== undefined && decodedBy !== undefined && reparsesToItself(index.type) &&
    decodedBy.indexSignatures.some((is) => is.parameter === index.parameter && is.type === index.type)
  const indexValue = index === undefined ? undefined : indexChecked ? passThrough : compile(index.type)
  if (index !== undefined && indexValue === undefined) return undefined
  const fields: Array<{ readonly name: string; readonly optional: boolean; readonly parse: Parser }> = []
  for (const ps of ast.propertySignatures) {
    const parse = checkedBefore(decodedBy, ps.name, ps.type) ? passThrough : compile(ps.type)
    if (parse === undefined || typeof ps.name !== "string") return undefined
    fields.push({ name: ps.name, optional: ps.isOptional, parse })
  }
  const named = new Set(fields.map((field) => field.name))
  return (u) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return refused
    const input = u as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const field of fields) {
      const present = Object.prototype.hasOwnProperty.call(input, field.name)
      if (!present && field.optional) continue
      // A required field that is absent is parsed as undefined, as Schema does (it fails unless undefined is allowed).
      const value = field.parse(input[field.name])
      if (value === refused) return refused
      out[field.name] = value
    }
    if (indexValue !== undefined) {
      for (const key of Object.keys(input)) {
        const value = indexValue(input[key])
        if (value === refused) return refused
        if (!named.has(key)) out[key] = value
      }
    }
    return out
  }
}

/**
 * Decodes as `Schema.decodeUnknownEither(schema, { errors: "all" })` does, by the plain parser when
 * it accepts the input and by the schema otherwise (so every failure is the schema's own).
 */
export const plainDecoder = <A, I>(schema: Schema.Schema<A, I, never>, bySchema: (u: unknown) => Either.Either<A, ParseResult.ParseError>) => {
  const plain = compile(schema.ast)
  if (plain === undefined) return bySchema
  return (u: unknown): Either.Either<A, ParseResult.ParseError> => {
    const value = plain(u)
    return value === refused ? bySchema(u) : Either.right(value as A)
  }
}

/** Whether `schema` has a plain parser (for tests: the schemas read in bulk must). */
export const hasPlainDecoder = (schema: Schema.Schema.Any): boolean => compile(schema.ast) !== undefined
