import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import iconv from "iconv-lite"
import { ByteDecoder, lineBreaksIn, UndecodableLines } from "../../../src/sources/csv/ByteDecoder.js"
import type { CsvEncoding } from "../../../src/sources/csv/CsvSourceOptions.js"

/** Runs bytes through a decoder in chunks of the given sizes; returns its output and the lines it flagged. */
const decode = async (bytes: Buffer, chunkSizes: ReadonlyArray<number>, encoding: CsvEncoding) => {
  const undecodable = new UndecodableLines()
  const decoder = new ByteDecoder(encoding, undecodable)
  const output: Array<Buffer> = []
  decoder.on("data", (chunk: Buffer) => output.push(chunk))
  const ended = new Promise((resolve, reject) => {
    decoder.on("end", resolve)
    decoder.on("error", reject)
  })
  let offset = 0
  for (let i = 0; offset < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!
    decoder.write(bytes.subarray(offset, offset + size))
    offset += size
  }
  decoder.end()
  await ended
  const lineCount = bytes.length + 1
  const flagged: Array<number> = []
  for (let line = 1; line <= lineCount; line++) {
    if (undecodable.within(line, line)) flagged.push(line)
  }
  return { output: Buffer.concat(output), flagged }
}

/** The oracle: the lines (ended by CRLF, LF or a lone CR) that a strict UTF-8 decoder refuses. */
const invalidUtf8Lines = (bytes: Buffer): Array<number> => {
  const strict = new TextDecoder("utf-8", { fatal: true })
  const lines: Array<number> = []
  let start = 0
  let line = 1
  const endLine = (end: number) => {
    try {
      strict.decode(bytes.subarray(start, end))
    } catch {
      lines.push(line)
    }
    line++
  }
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      endLine(i)
      start = i + 2
      i++
    } else if (bytes[i] === 0x0d || bytes[i] === 0x0a) {
      endLine(i)
      start = i + 1
    }
  }
  endLine(bytes.length)
  return lines
}

const sample = Buffer.concat([
  Buffer.from("héllo € 😀\r\n"),
  Buffer.from("plain\r"),
  Buffer.from([0x62, 0x61, 0x64, 0x20, 0xe9, 0x0a]), // a Windows-1252 é
  Buffer.from("ok ✓\n"),
  Buffer.from([0xf0, 0x9f, 0x98, 0x20, 0x0a]), // a 4-byte character cut short
  Buffer.from([0xc0, 0xaf, 0x0a]), // an overlong encoding of "/"
  Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // an encoded UTF-16 surrogate
  Buffer.from("\uFFFD is a real character\n"),
  Buffer.from("end é"),
  Buffer.from([0xe2, 0x82]) // the file ends inside a character
])

describe("ByteDecoder", () => {
  it("passes UTF-8 through unchanged and flags exactly the lines with invalid bytes, however it is chunked", async () => {
    expect(invalidUtf8Lines(sample)).toEqual([3, 5, 6, 7, 9])
    for (const size of [1, 2, 3, 4, 5, 7, 64, 65536]) {
      const { output, flagged } = await decode(sample, [size], "utf-8")
      expect(output.equals(sample)).toBe(true)
      expect(flagged, `chunks of ${size}`).toEqual([3, 5, 6, 7, 9])
    }
  })

  it("flags the same lines as a strict decoder for any bytes and any chunking", async () => {
    const utf8ish = fc.array(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 6 }).map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
        fc.constantFrom(Buffer.from("\n"), Buffer.from("\r"), Buffer.from("\r\n"))
      ),
      { maxLength: 30 }
    ).map((parts) => Buffer.concat(parts))
    await fc.assert(
      fc.asyncProperty(utf8ish, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), async (bytes, sizes) => {
        const { output, flagged } = await decode(bytes, sizes, "utf-8")
        expect(output.equals(bytes)).toBe(true)
        expect(flagged).toEqual(invalidUtf8Lines(bytes))
      }),
      { numRuns: 300 }
    )
  })

  it("decodes Windows-1252 to UTF-8 and flags the lines holding bytes it leaves undefined", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x92, 0x20, 0x80, 0x0a]),
      Buffer.from([0x61, 0x81, 0x62, 0x0d, 0x0a]),
      Buffer.from("fine\r"),
      Buffer.from([0x9d])
    ])
    for (const size of [1, 3, 100]) {
      const { output, flagged } = await decode(bytes, [size], "windows-1252")
      expect(output.toString("utf8")).toBe(iconv.decode(bytes, "windows-1252"))
      expect(output.toString("utf8").startsWith("Café ’ €\n")).toBe(true)
      expect(output.toString("utf8")).toContain("a\uFFFDb\r\nfine\r")
      expect(flagged).toEqual([2, 4])
    }
  })

  it("decodes every Latin-1 byte, flagging none", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const { output, flagged } = await decode(bytes, [7], "latin1")
    expect(output.toString("utf8")).toBe(String.fromCharCode(...bytes))
    expect(flagged).toEqual([])
  })
})

describe("lineBreaksIn", () => {
  it("counts CRLF, LF and a lone CR once each, in bytes and in text alike", () => {
    for (const [text, afterCR, breaks] of [
      ["a\r\nb\nc\rd", false, 3],
      ["\r\r\n\n", false, 3],
      ["\nx", true, 0],
      ["\nx", false, 1],
      ["no breaks", true, 0]
    ] as const) {
      expect(lineBreaksIn(text, afterCR), JSON.stringify(text)).toBe(breaks)
      expect(lineBreaksIn(Buffer.from(text), afterCR), JSON.stringify(text)).toBe(breaks)
    }
  })
})

describe("UndecodableLines", () => {
  it("answers for a range of lines and forgets the lines before it", () => {
    const lines = new UndecodableLines()
    lines.add(3)
    lines.add(3)
    lines.add(7)
    expect(lines.within(1, 2)).toBe(false)
    expect(lines.within(2, 4)).toBe(true)
    expect(lines.within(4, 6)).toBe(false)
    expect(lines.within(7, 7)).toBe(true)
    expect(lines.within(8, 100)).toBe(false)
  })

  it("stays correct after dropping many consumed lines", () => {
    const lines = new UndecodableLines()
    for (let line = 1; line <= 5000; line += 2) lines.add(line)
    for (let line = 1; line <= 5000; line++) {
      expect(lines.within(line, line)).toBe(line % 2 === 1)
    }
  })
})
