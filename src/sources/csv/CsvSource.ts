import * as NodeStream from "@effect/platform-node/NodeStream"
import { parse, type Parser } from "csv-parse"
import { Effect, Stream } from "effect"
import { createReadStream } from "node:fs"
import { pipeline } from "node:stream"
import { createGunzip } from "node:zlib"
import type { SourceItem } from "../SourceRecord.js"
import { ByteDecoder, UndecodableLines, utf16Code } from "./ByteDecoder.js"
import { CsvSourceError } from "./CsvSourceError.js"
import type { CsvSourceOptions } from "./CsvSourceOptions.js"
import type { ReadMeter } from "./ReadMeter.js"
import { OversizedRows, RecordGuard } from "./RecordGuard.js"
import { headerProblem, type ParserOutput, RowAssembler } from "./RowAssembler.js"

export { CsvSourceError, CsvSourceErrorReason } from "./CsvSourceError.js"
export { CsvEncoding, CsvSourceOptions } from "./CsvSourceOptions.js"
export { ReadMeter } from "./ReadMeter.js"

/**
 * Streams the records of one CSV file, with the line each starts on. Bad rows come out
 * as `Unreadable` items and reading goes on; only a file that cannot be read at all (missing,
 * not gzip, broken header) fails the stream. The file is read with backpressure: nothing
 * is read faster than the consumer pulls, so memory stays flat whatever the file's size.
 * `meter`, when given, follows the bytes read (for progress).
 */
export const readCsv = (options: CsvSourceOptions, meter?: ReadMeter): Stream.Stream<SourceItem, CsvSourceError> =>
  Stream.suspend(() => {
    const invalid = optionsProblem(options)
    if (invalid !== undefined) {
      return Stream.fail(new CsvSourceError({ path: options.path, reason: "InvalidOptions", detail: invalid }))
    }
    const undecodable = new UndecodableLines()
    const oversized = new OversizedRows([options.delimiter, options.quote, options.escape])
    const assembler = new RowAssembler(options, undecodable, oversized)
    return NodeStream.fromReadable<CsvSourceError, ParserOutput>(
      () => openRows(options, undecodable, oversized, meter),
      toSourceError(options.path)
    ).pipe(
      Stream.mapChunksEffect((rows) => assembler.push(rows)),
      Stream.concat(Stream.execute(Effect.suspend(() => assembler.end()))),
      Stream.takeUntil((item) => assembler.isFinal(item))
    )
  }).pipe(Stream.withSpan("CsvSource.readCsv", { attributes: { path: options.path } }))

// == the pipeline: file -> gunzip -> decoder -> guard (oversized rows) -> csv-parse

/** Whether the options mean gunzipping the file first. */
const isGzip = (options: CsvSourceOptions): boolean =>
  options.gzip === "auto" ? options.path.toLowerCase().endsWith(".gz") : options.gzip

const optionsProblem = (options: CsvSourceOptions): string | undefined => {
  if (options.delimiter === options.quote) return `delimiter and quote are both ${JSON.stringify(options.quote)}`
  if (options.header !== true) {
    const problem = headerProblem(options.header)
    if (problem !== undefined) return `the header names given in the options have ${problem}`
  }
  return undefined
}

/** What csv-parse is always given, whatever the source's options (exported so the bench parses as a plan does). */
export const parserOptions = {
  bom: true,
  raw: true,
  // All three, so a file mixing line ends, or an old Mac export ending lines in CR, splits on each.
  record_delimiter: ["\r\n", "\n", "\r"],
  // Rows with the wrong cell count and stray quotes come through; the assembler judges them.
  relax_column_count: true,
  relax_quotes: true,
  // Blank lines come through too, so every line of the file is in some row's raw text.
  skip_empty_lines: false,
  skip_records_with_error: true
}

/** Starts reading the file and returns the parser's output side; destroying it stops the whole pipeline. */
const openRows = (options: CsvSourceOptions, undecodable: UndecodableLines, oversized: OversizedRows, meter: ReadMeter | undefined): Parser => {
  const parser: Parser = parse({
    delimiter: options.delimiter,
    quote: options.quote,
    escape: options.escape,
    ...parserOptions,
    // The guard cuts out rows over maxRecordSize characters; csv-parse counts bytes (up to four per
    // character), so its own limit is only a backstop, never reached by a row the guard let through.
    max_record_size: options.maxRecordSize * 4,
    on_skip: (error, raw) => {
      parser.push(
        {
          skipped: error?.code ?? "UNKNOWN",
          message: error?.message ?? "unknown error",
          raw: raw ?? ""
        } satisfies ParserOutput
      )
      return undefined
    }
  })
  const file = createReadStream(options.path)
  meter?.watch(file)
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [
    file,
    ...(isGzip(options) ? [createGunzip()] : []),
    new ByteDecoder(options.encoding, undecodable),
    new RecordGuard(options, oversized),
    parser
  ]
  // A failing stage destroys the parser with its error, which fails the Effect stream; the
  // callback is only there so an early stop by the consumer is not an unhandled error.
  pipeline(stages, () => {})
  return parser
}

const toSourceError = (path: string) => (cause: unknown): CsvSourceError => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  const text = cause instanceof Error ? cause.message : String(cause)
  const make = (reason: CsvSourceError["reason"], detail: string) => new CsvSourceError({ path, reason, detail, cause })
  switch (code) {
    case utf16Code:
      return make("UnsupportedEncoding", text)
    case "ENOENT":
      return make("FileNotFound", "no such file")
    case "EISDIR":
      return make("NotAFile", "it is a directory, not a file")
    case "EACCES":
    case "EPERM":
      return make("ReadFailed", "permission denied")
  }
  if (typeof code === "string" && code.startsWith("Z_")) {
    return make("ReadFailed", `it is not valid gzip data, or it is cut short (${text})`)
  }
  return make("ReadFailed", text)
}
