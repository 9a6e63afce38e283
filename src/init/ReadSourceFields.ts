import { FetchHttpClient } from "@effect/platform"
import { Chunk, Effect, Layer, Schema, Stream } from "effect"
import * as fs from "node:fs"
import { readCsv } from "../sources/csv/CsvSource.js"
import { CsvSourceOptions } from "../sources/csv/CsvSourceOptions.js"
import { documentedCaseFields } from "../sources/khoros/KhorosCase.js"
import { KhorosClient, layerKhorosClient, makeKhorosPolicy } from "../sources/khoros/KhorosClient.js"
import type { KhorosObjectMeta } from "../sources/khoros/KhorosMeta.js"
import type { SourceField } from "./FieldGuess.js"

/** Rows of a CSV whose values `init` looks at (codes, date forms). */
export const sampledRows = 200

/** Bytes read to find the header line, its separator and whether the text is UTF-8. */
const headBytes = 64 * 1024

/** The separator the header line most likely uses, among `,`, `;`, tab and `|`. */
export const guessDelimiter = (headerLine: string): string => {
  const counts = [",", ";", "\t", "|"].map((d) => [d, headerLine.split(d).length - 1] as const)
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a))
  return best[1] === 0 ? "," : best[0]
}

/** Whether the bytes read as UTF-8 (a character cut at the end does not count against them). */
export const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}

/** What `init` read from a CSV: its form and, per column, the values of the first rows. */
export interface CsvShape {
  readonly delimiter: string
  readonly encoding: "utf-8" | "windows-1252"
  readonly fields: ReadonlyArray<SourceField>
}

/** Reads a CSV's header and first rows with casesync's own reader, after guessing its separator and encoding. */
export const readCsvShape = (path: string) =>
  Effect.gen(function*() {
    const head = yield* Effect.sync(() => {
      const fd = fs.openSync(path, "r")
      try {
        const buffer = Buffer.alloc(headBytes)
        return buffer.subarray(0, fs.readSync(fd, buffer, 0, headBytes, 0))
      } finally {
        fs.closeSync(fd)
      }
    })
    const encoding = isUtf8(head) ? "utf-8" as const : "windows-1252" as const
    const headerLine = head.toString("latin1").split(/\r\n|\n|\r/)[0] ?? ""
    const delimiter = guessDelimiter(headerLine)
    const options = yield* Schema.decodeUnknown(CsvSourceOptions)({ path, delimiter, encoding }).pipe(Effect.orDie)
    const rows = Chunk.toArray(yield* readCsv(options).pipe(Stream.take(sampledRows), Stream.runCollect))
    const records = rows.flatMap((item) => (item._tag === "Record" ? [item.data] : []))
    const names = records.length > 0 ? Object.keys(records[0]!) : headerLine.replace(/^\uFEFF|^\xEF\xBB\xBF/, "").split(delimiter).map((n) => n.trim())
    const fields = names.map((name): SourceField => ({
      name,
      samples: records.map((record) => record[name]).filter((value): value is string => typeof value === "string")
    }))
    return { delimiter, encoding, fields } satisfies CsvShape
  })

/** The CRM's case fields: the documented ones (with what seed 003 says of them) and the custom ones of its meta. */
export const crmFields = (meta: KhorosObjectMeta): ReadonlyArray<SourceField> => {
  const documented = documentedCaseFields.map((name): SourceField => ({
    name,
    samples: [],
    declared: name === "created" || name === "lastUpdated"
      ? { _tag: "DateTime" }
      : name === "status"
      ? { _tag: "List", values: ["open", "closed"] }
      : undefined
  }))
  const custom = meta.fields
    .filter((field) => !(documentedCaseFields as ReadonlyArray<string>).includes(field.name))
    .map((field): SourceField => ({
      name: field.name,
      samples: [],
      declared: field.type === "checkbox"
        ? { _tag: "Boolean" }
        : field.type === "single_sel_list"
        ? { _tag: "List", values: (field.listValues ?? []).map((v) => v.value) }
        : undefined
    }))
  return [...documented, ...custom]
}

/** Asks the CRM for `/meta/object/case` (one request) and lists its case fields. */
export const readCrmFields = (baseUrl: string, apiKey: string) =>
  Effect.flatMap(KhorosClient, (client) => client.getMeta("case")).pipe(
    Effect.map(crmFields),
    Effect.provide(layerKhorosClient(makeKhorosPolicy({ baseUrl, apiKey })).pipe(Layer.provide(FetchHttpClient.layer)))
  )
