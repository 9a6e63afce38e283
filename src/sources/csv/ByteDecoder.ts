import { Buffer, isUtf8 } from "node:buffer"
import { createRequire } from "node:module"
import { Transform, type TransformCallback } from "node:stream"
import type iconv from "iconv-lite"
import type { CsvEncoding } from "./CsvSourceOptions.js"

// iconv-lite and its code pages are loaded only for a file that is not UTF-8: evaluating them
// cost every run about 25 ms at start-up. (A require through createRequire, which the bundler
// leaves to Node, so the code pages stay out of the bundle.)
let iconvLite: typeof iconv | undefined
const loadIconv = (): typeof iconv => (iconvLite ??= createRequire(import.meta.url)("iconv-lite") as typeof iconv)

/**
 * The physical lines (1-based) that held bytes invalid in the file's encoding, noted by
 * the decoder as it reads ahead and consumed in order as rows are assembled, so it only
 * ever holds the lines between the decoder and the parser.
 */
export class UndecodableLines {
  private lines: Array<number> = []
  private head = 0

  /** Notes that `line` held at least one undecodable byte; lines arrive in ascending order. */
  add(line: number): void {
    if (this.lines[this.lines.length - 1] !== line) this.lines.push(line)
  }

  /** Whether any line from `first` to `last` held undecodable bytes; forgets the lines before `first`. */
  within(first: number, last: number): boolean {
    const lines = this.lines
    while (this.head < lines.length && lines[this.head]! < first) this.head++
    if (this.head > 1024 && this.head * 2 > lines.length) {
      this.lines = lines.slice(this.head)
      this.head = 0
    }
    return this.head < this.lines.length && this.lines[this.head]! <= last
  }
}

/**
 * A stream stage that turns the file's bytes into UTF-8 for csv-parse (UTF-8 passes
 * through untouched, Windows-1252 and Latin-1 are decoded with iconv-lite) and notes
 * in `UndecodableLines` every line holding bytes the encoding does not define, so that
 * row can be reported unreadable instead of carrying "�" into the target.
 */
export class ByteDecoder extends Transform {
  private first = true
  private line = 1
  /** The last chunk ended with CR, so an LF starting this one ends the same line. */
  private afterCR = false
  /** UTF-8 only: the start of a multi-byte character cut off at the end of the last chunk. */
  private pending: Buffer | undefined = undefined
  private readonly decoder: iconv.DecoderStream | undefined

  constructor(encoding: CsvEncoding, private readonly undecodable: UndecodableLines) {
    super()
    this.decoder = encoding === "utf-8" ? undefined : loadIconv().getDecoder(encoding)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.first && chunk.length > 0) {
      this.first = false
      // A UTF-16 byte-order mark: read as any encoding casesync knows, every row would be noise.
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        return callback(Object.assign(new Error(`it is UTF-16 (${chunk[0] === 0xff ? "little" : "big"}-endian, by its byte-order mark)`), { code: utf16Code }))
      }
    }
    if (this.decoder === undefined) {
      this.checkUtf8(chunk)
      this.push(chunk)
    } else {
      this.pushDecoded(this.decoder.write(chunk))
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    if (this.decoder === undefined) {
      // A character cut off by the end of the file.
      if (this.pending !== undefined) this.undecodable.add(this.line)
    } else {
      const rest = this.decoder.end()
      if (rest !== undefined && rest.length > 0) this.pushDecoded(rest)
    }
    callback()
  }

  private checkUtf8(chunk: Buffer): void {
    const bytes = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk])
    const cut = incompleteTailStart(bytes)
    const complete = cut === bytes.length ? bytes : bytes.subarray(0, cut)
    this.pending = cut === bytes.length ? undefined : Buffer.from(bytes.subarray(cut))
    this.line = isUtf8(complete)
      ? this.line + lineBreaksIn(complete, this.afterCR)
      : scanUtf8(complete, this.line, this.afterCR, (line) => this.undecodable.add(line))
    // A cut-off character is never a CR, so only a chunk ending in CR leaves one behind.
    if (bytes.length > 0) this.afterCR = bytes[bytes.length - 1] === CR
  }

  private pushDecoded(text: string): void {
    if (text.includes("\uFFFD")) {
      // Single-byte decoders only produce U+FFFD for bytes the code page leaves undefined.
      let afterCR = this.afterCR
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === CR || (c === LF && !afterCR)) this.line++
        else if (c === 0xfffd) this.undecodable.add(this.line)
        afterCR = c === CR
      }
    } else {
      this.line += lineBreaksIn(text, this.afterCR)
    }
    if (text.length > 0) this.afterCR = text.charCodeAt(text.length - 1) === CR
    this.push(Buffer.from(text, "utf8"))
  }
}

/** The code of the error a UTF-16 file fails the read with. */
export const utf16Code = "CASESYNC_UTF16"

// == physical lines: CRLF, LF and a lone CR each end one line, as csv-parse's record delimiters do

const CR = 0x0d
const LF = 0x0a

/** The line breaks in a chunk of bytes or text; `afterCR`: the text before it ended with CR. */
export const lineBreaksIn = (text: Buffer | string, afterCR: boolean): number =>
  typeof text === "string"
    ? countBreaks((code, from) => text.indexOf(String.fromCharCode(code), from), (i) => text.charCodeAt(i), afterCR)
    : countBreaks((code, from) => text.indexOf(code, from), (i) => text[i], afterCR)

const countBreaks = (
  indexOf: (code: number, from: number) => number,
  codeAt: (i: number) => number | undefined,
  afterCR: boolean
): number => {
  let n = 0
  // Each CR ends a line; an LF does unless it completes a CRLF.
  for (let i = indexOf(CR, 0); i !== -1; i = indexOf(CR, i + 1)) n++
  for (let i = indexOf(LF, 0); i !== -1; i = indexOf(LF, i + 1)) {
    if (!(i === 0 ? afterCR : codeAt(i - 1) === CR)) n++
  }
  return n
}

// == UTF-8 checking

/** Where a multi-byte character that the chunk cuts off begins, or the length if none is cut. */
const incompleteTailStart = (bytes: Buffer): number => {
  const end = bytes.length
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = bytes[i]!
    if ((b & 0xc0) === 0x80) continue
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 1
    return end - i < length ? i : end
  }
  return end
}

/** Length of the well-formed UTF-8 character at `i` (Unicode table 3-7), or 0 if the byte there starts none. */
const characterLength = (bytes: Buffer, i: number): number => {
  const b = bytes[i]!
  let continuations: number
  let low = 0x80
  let high = 0xbf
  if (b >= 0xc2 && b <= 0xdf) continuations = 1
  else if (b >= 0xe0 && b <= 0xef) {
    continuations = 2
    if (b === 0xe0) low = 0xa0
    if (b === 0xed) high = 0x9f
  } else if (b >= 0xf0 && b <= 0xf4) {
    continuations = 3
    if (b === 0xf0) low = 0x90
    if (b === 0xf4) high = 0x8f
  } else return 0
  const first = bytes[i + 1]
  if (first === undefined || first < low || first > high) return 0
  for (let k = 2; k <= continuations; k++) {
    const c = bytes[i + k]
    if (c === undefined || c < 0x80 || c > 0xbf) return 0
  }
  return continuations + 1
}

/** Walks bytes known to hold invalid UTF-8, reporting the line of each bad byte; returns the line after them. */
const scanUtf8 = (bytes: Buffer, firstLine: number, afterCR: boolean, onInvalid: (line: number) => void): number => {
  let line = firstLine
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      if (b === CR || (b === LF && !(i === 0 ? afterCR : bytes[i - 1] === CR))) line++
      i++
      continue
    }
    const length = characterLength(bytes, i)
    if (length === 0) {
      onInvalid(line)
      i++
    } else {
      i += length
    }
  }
  return line
}
