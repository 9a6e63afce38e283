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

/**
 * Reads the CSV behind a lookup, relative to the mapping file. A missing file, a
 * missing column or a key listed twice is logged at the mapping line that names it.
 */
export const loadLookup = (
  mappingFile: string,
  spec: LookupSpec,
  log: IssueLog
): Effect.Effect<LookupTable | undefined, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = NodePath.resolve(NodePath.dirname(mappingFile), spec.file.value)
    const text = yield* fs.readFileString(path).pipe(Effect.either)
    if (text._tag === "Left") {
      log.add(spec.file.pos, `lookup file ${spec.file.value} cannot be read (looked for ${path}): ${text.left.message}`)
      return undefined
    }
    let rows: Array<Array<string>>
    try {
      rows = parse(text.right, { bom: true, skip_empty_lines: true, relax_column_count: true }) as Array<Array<string>>
    } catch (error) {
      log.add(spec.file.pos, `lookup file ${spec.file.value} is not valid CSV: ${(error as Error).message}`)
      return undefined
    }
    const header = (rows[0] ?? []).map((name) => name.trim())
    const column = (name: { value: string; pos: LookupSpec["pos"] }, role: string) => {
      const index = header.indexOf(name.value)
      if (index === -1) {
        log.add(name.pos, `lookup file ${spec.file.value} has no ${role} column '${name.value}' (columns: ${header.join(", ") || "none"})`)
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
        log.add(spec.file.pos, `lookup file ${spec.file.value} lists key '${key}' twice (rows ${seen} and ${line}); keys must be unique`)
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
