import { FileSystem } from "@effect/platform"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import * as NodePath from "node:path"
import type { LookupSpec } from "./MappingSpec.js"
import type { IssueLog } from "./PositionedYaml.js"

/**
 * A lookup table (`lookup: { file, key, value }`): two columns of a CSV file read once
 * when the mapping is loaded, so every record sees the same table.
 */
export interface LookupTable {
  /** The file as written in the mapping (for messages). */
  readonly file: string
  readonly key: string
  readonly value: string
  readonly entries: ReadonlyMap<string, string>
  /** value -> key, when no two keys share a value (then the lookup can be reversed for two-way sync). */
  readonly reverse: ReadonlyMap<string, string> | undefined
  /** Values shared by several keys, which make the lookup one-way. */
  readonly sharedValues: ReadonlyArray<string>
  /** The file's text, for the mapping's digest. */
  readonly text: string
}

/** What a lookup file may be read from: the mapping's folder, and the run config's when there is one. */
export const lookupRoots = (mappingFile: string, configFile?: string | undefined): ReadonlyArray<string> =>
  [...new Set([mappingFile, ...(configFile === undefined ? [] : [configFile])].map((file) => NodePath.dirname(NodePath.resolve(file))))]

const isInside = (root: string, path: string): boolean => {
  const relative = NodePath.relative(root, path)
  return relative === "" || (!relative.startsWith("..") && !NodePath.isAbsolute(relative))
}

/** Why a file cannot be read, from its error code only: the platform's message repeats paths and internals. */
export const unreadableBecause = (error: unknown): string => {
  const code = typeof error === "object" && error !== null && "cause" in error
    ? (error.cause as { code?: unknown } | undefined)?.code
    : undefined
  return code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a folder" : "it cannot be read"
}

/**
 * Reads the CSV behind a lookup, relative to the mapping file. The file must lie inside
 * one of `roots` (after following symlinks), so a mapping cannot read files such as
 * `/proc/self/environ`; and no message about it ever quotes its content, which may be a
 * secret. A missing file, a missing column or a key listed twice is logged at the
 * mapping line that names it.
 */
export const loadLookup = (
  mappingFile: string,
  spec: LookupSpec,
  log: IssueLog,
  roots: ReadonlyArray<string> = lookupRoots(mappingFile)
): Effect.Effect<LookupTable | undefined, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const given = spec.file.value
    const folders = roots.join(" or ")
    if (NodePath.isAbsolute(given)) {
      log.add(spec.file.pos, `lookup file ${given} must be a path relative to the mapping file, inside ${folders}`)
      return undefined
    }
    const path = NodePath.resolve(NodePath.dirname(mappingFile), given)
    if (!roots.some((root) => isInside(root, path))) {
      log.add(spec.file.pos, `lookup file ${given} resolves to ${path}, outside ${folders}; keep lookup tables beside the mapping or the run config`)
      return undefined
    }
    const real = yield* fs.realPath(path).pipe(Effect.either)
    if (real._tag === "Left") {
      log.add(spec.file.pos, `lookup file ${given} cannot be read (looked for ${path}): ${unreadableBecause(real.left)}`)
      return undefined
    }
    const realRoots = yield* Effect.forEach(roots, (root) => fs.realPath(root).pipe(Effect.orElseSucceed(() => root)))
    if (!realRoots.some((root) => isInside(root, real.right))) {
      log.add(spec.file.pos, `lookup file ${given} is a link to ${real.right}, outside ${folders}; keep lookup tables beside the mapping or the run config`)
      return undefined
    }
    const text = yield* fs.readFileString(real.right).pipe(Effect.either)
    if (text._tag === "Left") {
      log.add(spec.file.pos, `lookup file ${given} cannot be read (looked for ${path}): ${unreadableBecause(text.left)}`)
      return undefined
    }
    let rows: Array<Array<string>>
    try {
      rows = parse(text.right, { bom: true, skip_empty_lines: true, relax_column_count: true }) as Array<Array<string>>
    } catch (error) {
      // csv-parse's messages quote the offending text: give its code and line only.
      const failure = error as { code?: string; lines?: number }
      log.add(spec.file.pos, `lookup file ${given} is not valid CSV (${failure.code ?? "parse error"}${failure.lines === undefined ? "" : ` at line ${failure.lines}`})`)
      return undefined
    }
    const header = (rows[0] ?? []).map((name) => name.trim())
    const column = (name: { value: string; pos: LookupSpec["pos"] }, role: string) => {
      const index = header.indexOf(name.value)
      if (index === -1) {
        // The header is the file's content too (think of a .env beside the config): count it, never quote it.
        log.add(name.pos, `lookup file ${given} has no ${role} column '${name.value}' (its first row has ${header.length} column${header.length === 1 ? "" : "s"}, none called that)`)
      }
      return index
    }
    const keyIndex = column(spec.key, "key")
    const valueIndex = column(spec.value, "value")
    if (keyIndex === -1 || valueIndex === -1) return undefined

    const entries = new Map<string, string>()
    const firstLine = new Map<string, number>()
    const keysOfValue = new Map<string, number>()
    rows.slice(1).forEach((row, index) => {
      const line = index + 2
      const key = (row[keyIndex] ?? "").trim()
      const value = (row[valueIndex] ?? "").trim()
      if (key === "") return
      const seen = firstLine.get(key)
      if (seen !== undefined) {
        log.add(spec.file.pos, `lookup file ${given} lists the same key twice (rows ${seen} and ${line}); keys must be unique`)
        return
      }
      firstLine.set(key, line)
      entries.set(key, value)
      keysOfValue.set(value, (keysOfValue.get(value) ?? 0) + 1)
    })
    const sharedValues = [...keysOfValue].filter(([, count]) => count > 1).map(([value]) => value)
    const reverse = sharedValues.length === 0 ? new Map([...entries].map(([k, v]) => [v, k])) : undefined
    return { file: spec.file.value, key: spec.key.value, value: spec.value.value, entries, reverse, sharedValues, text: text.right }
  })
