import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml"
import type { MappingIssue } from "./MappingLoadError.js"

/** Where a node of the mapping file sits: line and column (1-based) and its path from the root. */
export interface Pos {
  readonly line: number
  readonly column: number
  readonly path: string
}

/** A value read from the mapping file together with where it was written. */
export interface Located<A> {
  readonly value: A
  readonly pos: Pos
}

/** A position for problems that concern no particular node. */
export const nowhere = (path: string): Pos => ({ line: 0, column: 0, path })

/** Collects every problem of one mapping file so they can all be reported at once. */
export class IssueLog {
  readonly issues: Array<MappingIssue> = []

  /** Records a problem at `pos`. */
  add(pos: Pos, message: string): void {
    this.issues.push({ line: pos.line, column: pos.column, path: pos.path, message })
  }

  /** Whether any problem was recorded. */
  get isEmpty(): boolean {
    return this.issues.length === 0
  }
}

/** A YAML document with what is needed to turn node offsets into lines and columns. */
export interface YamlSource {
  readonly document: Document.Parsed
  readonly lines: LineCounter
  readonly log: IssueLog
}

/** Joins path segments the way issues show them: `fields/customFields.crmNumber/map`. */
export const childPath = (parent: string, segment: string | number): string =>
  parent === "" ? String(segment) : `${parent}/${segment}`

/** Parses YAML text, logging syntax errors with their positions; `undefined` when it is not usable YAML. */
export const parseYaml = (text: string, log: IssueLog): YamlSource | undefined => {
  const lines = new LineCounter()
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true })
  for (const error of document.errors) {
    const at = error.linePos?.[0]
    log.add({ line: at?.line ?? 0, column: at?.col ?? 0, path: "" }, `YAML: ${firstLine(error.message)}`)
  }
  return document.errors.length > 0 ? undefined : { document, lines, log }
}

const firstLine = (message: string): string => message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")

/** The position of a node (or of its parent's position when the node is missing). */
export const positionOf = (yaml: YamlSource, node: Node | null | undefined, path: string): Pos => {
  const offset = node?.range?.[0]
  if (offset === undefined) return nowhere(path)
  const at = yaml.lines.linePos(offset)
  return { line: at.line, column: at.col, path }
}

/** One `key: value` entry of a YAML mapping, with the nodes of both sides. */
export interface Entry {
  readonly key: string
  readonly keyPos: Pos
  readonly node: Node | null
  readonly pos: Pos
  readonly path: string
}

/** The entries of a YAML mapping, or `undefined` (logged) when the node is not one. */
export const entriesOf = (yaml: YamlSource, node: Node | null, pos: Pos, what: string): ReadonlyArray<Entry> | undefined => {
  if (!isMap(node)) {
    yaml.log.add(pos, `${what} must be a mapping of keys to values`)
    return undefined
  }
  const entries: Array<Entry> = []
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null
    const keyValue = isScalar(keyNode) ? keyNode.value : undefined
    const keyPos = positionOf(yaml, keyNode, pos.path)
    if (keyValue === undefined || keyValue === null || typeof keyValue === "object") {
      yaml.log.add(keyPos, `${what}: keys must be plain values`)
      continue
    }
    const key = String(keyValue)
    const path = childPath(pos.path, key)
    const valueNode = (pair.value as Node | null) ?? null
    entries.push({ key, keyPos: { ...keyPos, path }, node: valueNode, pos: positionOf(yaml, valueNode ?? keyNode, path), path })
  }
  return entries
}

/** A scalar's value (string, number, boolean or null), or `undefined` when the node is a collection. */
export const scalarOf = (node: Node | null): string | number | boolean | null | undefined => {
  if (node === null) return null
  if (!isScalar(node)) return undefined
  const value = node.value
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  return String(value)
}

/** Reads a non-empty string, logging `what must be ...` otherwise. */
export const stringOf = (yaml: YamlSource, entry: Entry, what: string): Located<string> | undefined => {
  const value = scalarOf(entry.node)
  if (typeof value === "string" && value.trim() !== "") return { value, pos: entry.pos }
  yaml.log.add(entry.pos, `${what} must be a non-empty text, not ${describe(entry.node)}`)
  return undefined
}

/** Reads `true` or `false`, logging otherwise. */
export const booleanOf = (yaml: YamlSource, entry: Entry, what: string): Located<boolean> | undefined => {
  const value = scalarOf(entry.node)
  if (typeof value === "boolean") return { value, pos: entry.pos }
  yaml.log.add(entry.pos, `${what} must be true or false, not ${describe(entry.node)}`)
  return undefined
}

/** Reads a sequence of strings (a single string counts as a one-item list), logging otherwise. */
export const stringListOf = (yaml: YamlSource, entry: Entry, what: string): ReadonlyArray<Located<string>> | undefined => {
  const single = scalarOf(entry.node)
  if (typeof single === "string") return [{ value: single, pos: entry.pos }]
  if (single === null) return []
  if (!isSeq(entry.node)) {
    yaml.log.add(entry.pos, `${what} must be a list of names`)
    return undefined
  }
  const items: Array<Located<string>> = []
  entry.node.items.forEach((item, index) => {
    const node = item as Node | null
    const value = scalarOf(node)
    const pos = positionOf(yaml, node, childPath(entry.path, index))
    if (typeof value === "string" && value !== "") items.push({ value, pos })
    else yaml.log.add(pos, `${what} must hold names, not ${describe(node)}`)
  })
  return items
}

/** The plain JavaScript value of a node (for `const:` and `default:`). */
export const jsValueOf = (yaml: YamlSource, node: Node | null): unknown => (node === null ? null : node.toJS(yaml.document))

/** Says what a node is, for messages: `a list`, `the number 3`, `nothing`. */
export const describe = (node: Node | null): string => {
  if (node === null) return "nothing"
  if (isMap(node)) return "a mapping"
  if (isSeq(node)) return "a list"
  const value = scalarOf(node)
  if (value === null) return "nothing"
  if (typeof value === "string") return value === "" ? "an empty text" : `the text ${JSON.stringify(value)}`
  return `the ${typeof value} ${String(value)}`
}

/** Logs every key of `entries` not in `known`, suggesting the closest known key. */
export const checkKnownKeys = (
  yaml: YamlSource,
  entries: ReadonlyArray<Entry>,
  known: ReadonlyArray<string>,
  what: string
): void => {
  for (const entry of entries) {
    if (known.includes(entry.key)) continue
    yaml.log.add(entry.keyPos, `unknown ${what} '${entry.key}'${suggestion(entry.key, known)} (known: ${known.join(", ")})`)
  }
}

/** `; did you mean 'x'?` when a known name is within two edits of `name` (or starts like it), else nothing. */
export const suggestion = (name: string, known: Iterable<string>): string => {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const [a, b] = [name.toLowerCase(), candidate.toLowerCase()]
    const distance = a.length >= 3 && b.startsWith(a) ? 1 : editDistance(a, b)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best === undefined ? "" : `; did you mean '${best}'?`
}

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
