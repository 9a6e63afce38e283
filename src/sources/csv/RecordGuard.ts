import { Buffer } from "node:buffer"
import { randomInt } from "node:crypto"
import { Transform, type TransformCallback } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import { lineBreaksIn } from "./ByteDecoder.js"

/** A row longer than `maxRecordSize`, as the guard saw it: its start, its extent, and how it ended. */
export interface OversizedRow {
  /** The row's first characters (at most `keptCharacters`), for the reject's raw text. */
  readonly prefix: string
  /** Characters in the row, its own line break included. */
  readonly length: number
  /** Line breaks in the row, its own ending one included: how far the line count moves past it. */
  readonly lineBreaks: number
  /** The row's text ends with a line break (the file may end without one). */
  readonly endsWithLineBreak: boolean
  /** The file ended inside a quoted field opened in this row. */
  readonly unclosedQuote: boolean
}

/** How much of an oversized row the reject keeps. */
export const keptCharacters = 1_000

/**
 * The oversized rows the guard cut out, in file order, each standing in the text the
 * parser reads as a one-cell row holding `marker`: the assembler takes them in turn.
 */
export class OversizedRows {
  private readonly rows: Array<OversizedRow> = []

  /** A cell text no row of this file can hold: private-use characters free of the delimiter, quote and escape. */
  readonly marker: string

  constructor(tokens: ReadonlyArray<string>) {
    let marker: string
    do {
      marker = Array.from({ length: 12 }, () => String.fromCharCode(0xe000 + randomInt(0x1900))).join("")
    } while (tokens.some((token) => marker.includes(token)))
    this.marker = marker
  }

  add(row: OversizedRow): void {
    this.rows.push(row)
  }

  /** The next oversized row, in file order. */
  take(): OversizedRow | undefined {
    return this.rows.shift()
  }
}

/** The CSV syntax the guard follows; the same settings the parser gets. */
export interface RecordGuardOptions {
  readonly delimiter: string
  readonly quote: string
  readonly escape: string
  readonly maxRecordSize: number
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * A stream stage in front of csv-parse that finds row boundaries the way it does
 * (quotes, escapes, CRLF/LF/CR) and cuts out every row longer than `maxRecordSize`,
 * putting a marker row in its place (see `OversizedRows`). csv-parse cannot skip such a
 * row and go on (it drops the rest of its buffer and stays inside the row), and this way
 * no more than `maxRecordSize` characters of a row are ever held.
 */
export class RecordGuard extends Transform {
  private readonly decoder = new StringDecoder("utf8")
  /** Text not yet passed on: from the current row's start, or (in an oversized row) from the scan point. */
  private text = ""
  private pos = 0
  private quoting = false
  private fieldStart = true
  private atFileStart = true
  /** The oversized row being skipped, if any. */
  private skipping: { prefix: string; length: number; lineBreaks: number; afterCR: boolean; endsWithLineBreak: boolean } | undefined
  private readonly lookahead: number
  private readonly outside: RegExp
  private readonly inside: RegExp

  constructor(private readonly options: RecordGuardOptions, private readonly oversized: OversizedRows) {
    super()
    const { delimiter, escape, quote } = options
    this.lookahead = quote.length + escape.length + delimiter.length + 2
    // Outside quotes only a line break or a quote opening a field changes anything: a delimiter not
    // followed by a quote, and a quote inside a field (literal, with relax_quotes), need no stop.
    this.outside = new RegExp([delimiter + quote, "\r", "\n"].map(escapeRegExp).join("|"), "g")
    this.inside = new RegExp([quote, escape].map(escapeRegExp).join("|"), "g")
  }

  /** The characters held back now: under maxRecordSize plus one chunk, however long a row is. */
  get heldCharacters(): number {
    return this.text.length
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.text += this.decoder.write(chunk)
    this.scan(false)
    callback()
  }

  override _flush(callback: TransformCallback): void {
    this.text += this.decoder.end()
    this.scan(true)
    callback()
  }

  private scan(end: boolean): void {
    const { delimiter, escape, quote, maxRecordSize } = this.options
    let text = this.text
    if (this.atFileStart && text.length > 0) {
      // The BOM is not part of the first row; the parser strips it.
      if (text.startsWith("\uFEFF")) this.push(Buffer.from(text.slice(0, 1), "utf8"))
      if (text.startsWith("\uFEFF")) text = text.slice(1)
      this.atFileStart = false
    }
    const out: Array<string> = []
    let i = this.pos
    let rowStart = 0
    let handled = 0
    const startSkipping = () => {
      out.push(text.slice(handled, rowStart))
      this.skipping = {
        prefix: text.slice(rowStart, rowStart + keptCharacters),
        length: 0,
        lineBreaks: 0,
        afterCR: false,
        endsWithLineBreak: false
      }
      handled = rowStart
    }
    const drop = (to: number) => {
      const skipping = this.skipping!
      const dropped = text.slice(handled, to)
      skipping.length += dropped.length
      skipping.lineBreaks += lineBreaksIn(dropped, skipping.afterCR)
      if (dropped.length > 0) {
        skipping.afterCR = dropped.endsWith("\r")
        skipping.endsWithLineBreak = skipping.afterCR || dropped.endsWith("\n")
      }
      handled = to
    }
    const finishSkipping = (ended: boolean) => {
      const { afterCR: _, ...row } = this.skipping!
      this.oversized.add({ ...row, unclosedQuote: !ended && this.quoting })
      out.push(this.oversized.marker + (ended ? "\n" : ""))
      this.skipping = undefined
    }
    const rowEnd = (next: number) => {
      if (this.skipping !== undefined) {
        drop(next)
        finishSkipping(true)
      }
      i = next
      rowStart = next
      this.fieldStart = true
    }

    while (i < text.length) {
      if (!end && i + this.lookahead > text.length) break
      if (this.skipping === undefined && i - rowStart > maxRecordSize) startSkipping()
      if (this.quoting) {
        if (escape !== quote && text.startsWith(escape, i) && i + escape.length < text.length) {
          i += escape.length + 1
        } else if (text.startsWith(quote, i)) {
          // A doubled quote (when the escape is the quote) stays inside; any other quote ends the quoting,
          // whether a delimiter follows or not (with relax_quotes, the parser reads on as plain text).
          if (escape === quote && text.startsWith(quote, i + quote.length)) i += 2 * quote.length
          else {
            this.quoting = false
            i += quote.length
          }
        } else {
          i = this.nextToken(this.inside, text, i, end)
        }
        continue
      }
      if (this.fieldStart && text.startsWith(quote, i)) {
        this.quoting = true
        this.fieldStart = false
        i += quote.length
      } else if (text.startsWith("\r\n", i)) rowEnd(i + 2)
      else if (text[i] === "\n" || text[i] === "\r") rowEnd(i + 1)
      else if (text.startsWith(delimiter, i)) {
        this.fieldStart = true
        i += delimiter.length
      } else {
        this.fieldStart = false
        i = text.startsWith(quote, i) ? i + quote.length : this.nextToken(this.outside, text, i, end)
      }
    }
    if (this.skipping === undefined && i - rowStart > maxRecordSize) startSkipping()

    if (this.skipping !== undefined) {
      drop(end ? text.length : i)
      if (end) finishSkipping(false)
      this.text = text.slice(handled)
      this.pos = i - handled
    } else {
      const upTo = end ? text.length : rowStart
      out.push(text.slice(handled, upTo))
      this.text = text.slice(upTo)
      this.pos = i - upTo
    }
    const passed = out.join("")
    if (passed.length > 0) this.push(Buffer.from(passed, "utf8"))
  }

  /** Where the next token that matters may start after `i` (at least `i + 1`, and short of the lookahead margin). */
  private nextToken(tokens: RegExp, text: string, i: number, end: boolean): number {
    tokens.lastIndex = i + 1
    const found = tokens.exec(text)
    const next = found === null ? text.length : found.index
    return end ? next : Math.max(i + 1, Math.min(next, text.length - this.lookahead))
  }
}
