import { Data, Effect, Either, ParseResult, Schema } from "effect"
import * as fs from "node:fs"
import { isNode, LineCounter, parseDocument, type Document } from "yaml"

/** One thing wrong in a YAML file, where a person's editor can jump to it. */
export interface YamlIssue {
  readonly line: number
  readonly column: number
  /** Dotted path of the offending value, e.g. `target.baseUrl`. */
  readonly path: string
  readonly message: string
}

/** A YAML file (run config) that cannot be used, with every issue found and its position. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly file: string
  readonly issues: ReadonlyArray<YamlIssue>
}> {
  override get message() {
    return this.issues
      .map((issue) =>
        // Line 0: the file as a whole (it cannot be read), so no position to give.
        `${this.file}${issue.line > 0 ? `:${issue.line}:${issue.column}` : ""}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`
      )
      .join("\n")
  }
}

/** A parsed YAML file that can say where any of its values stands. */
export interface YamlFile {
  readonly file: string
  readonly text: string
  readonly value: unknown
  readonly positionOf: (path: ReadonlyArray<PropertyKey>) => { readonly line: number; readonly column: number }
}

/** Reads and parses a YAML file; syntax errors come back with their line and column. */
export const readYamlFile = (file: string): Effect.Effect<YamlFile, ConfigFileError> =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => fs.readFileSync(file, "utf8"),
      catch: (error) =>
        new ConfigFileError({
          file,
          issues: [{ line: 0, column: 0, path: "", message: (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error) }]
        })
    })
    return yield* parseYaml(file, text)
  })

/** Parses YAML text that came from `file` (the name is used in messages only). */
export const parseYaml = (file: string, text: string): Effect.Effect<YamlFile, ConfigFileError> => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const position = (offset: number) => {
    const { col, line } = lineCounter.linePos(offset)
    return { line: Math.max(line, 1), column: Math.max(col, 1) }
  }
  if (doc.errors.length > 0) {
    return Effect.fail(
      new ConfigFileError({
        file,
        issues: doc.errors.map((error) => ({ ...position(error.pos[0]), path: "", message: error.message.split("\n")[0]! }))
      })
    )
  }
  return Effect.succeed({
    file,
    text,
    value: doc.toJS(),
    positionOf: (path) => position(offsetOf(doc, path))
  })
}

// The start of the deepest node that exists along `path` (a missing key points at its parent map).
const offsetOf = (doc: Document, path: ReadonlyArray<PropertyKey>): number => {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as Array<unknown>, true)
    if (isNode(node) && node.range) return node.range[0]
  }
  return 0
}

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of the file with the
 * environment's value, so secrets live in the environment and never in the file.
 * An unset variable without a default is an issue at the value that names it.
 */
export const substituteEnvironment = (
  yaml: YamlFile,
  environment: Readonly<Record<string, string | undefined>>
): Effect.Effect<YamlFile, ConfigFileError> => {
  const issues: Array<YamlIssue> = []
  const visit = (value: unknown, path: Array<PropertyKey>): unknown => {
    if (typeof value === "string") {
      return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
        const found = environment[name]
        if (found !== undefined && found !== "") return found
        if (fallback !== undefined) return fallback
        issues.push({ ...yaml.positionOf(path), path: path.join("."), message: `environment variable ${name} is not set` })
        return ""
      })
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]))
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]))
    }
    return value
  }
  const value = visit(yaml.value, [])
  return issues.length > 0 ? Effect.fail(new ConfigFileError({ file: yaml.file, issues })) : Effect.succeed({ ...yaml, value })
}

// An optional field that is wrong fails every member of its union ("Expected number",
// then "Expected undefined"); the first issue of a path is the one worth reading.
const firstPerPath = (issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>) => {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = JSON.stringify(issue.path)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Decodes a parsed file (or, with `value` and `at`, a value built from the part of it
 * under the path `at`) with a Schema; every issue is reported at its value's position.
 */
export const decodeYaml = <A, I>(
  schema: Schema.Schema<A, I>,
  yaml: YamlFile,
  value: unknown = yaml.value,
  at: ReadonlyArray<PropertyKey> = []
): Effect.Effect<A, ConfigFileError> =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value), {
    onRight: Effect.succeed,
    onLeft: (error) =>
      Effect.fail(
        new ConfigFileError({
          file: yaml.file,
          issues: firstPerPath(ParseResult.ArrayFormatter.formatErrorSync(error)).map((issue) => ({
            ...yaml.positionOf([...at, ...issue.path]),
            path: [...at, ...issue.path].join("."),
            message: issue.message
          }))
        })
      )
  })

