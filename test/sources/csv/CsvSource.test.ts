import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import { gzipSync } from "node:zlib"
import {
  CsvSourceError,
  CsvSourceOptions,
  readCsv
} from "../../../src/sources/csv/CsvSource.js"
import type { SourceItem, SourceRecord, UnreadableRecord } from "../../../src/sources/SourceRecord.js"
import { tempFiles } from "./TempFiles.js"

const files = tempFiles()

type Options = Omit<Partial<CsvSourceOptions>, "path">

const read = (path: string, options: Options = {}) =>
  Effect.map(Stream.runCollect(readCsv(CsvSourceOptions.make({ path, ...options }))), Chunk.toReadonlyArray)

const readFailure = (path: string, options: Options = {}) =>
  Effect.flatMap(Effect.either(read(path, options)), (result) =>
    Either.isLeft(result)
      ? Effect.succeed(result.left)
      : Effect.die(`expected a CsvSourceError, got ${JSON.stringify(result.right)}`))

const records = (items: ReadonlyArray<SourceItem>) =>
  items.filter((item): item is SourceRecord => item._tag === "Record")

const unreadable = (items: ReadonlyArray<SourceItem>) =>
  items.filter((item): item is UnreadableRecord => item._tag === "Unreadable")

/** Each item as `line: tag data-or-reason`, which makes the expected outcome of a fixture readable at a glance. */
const summary = (items: ReadonlyArray<SourceItem>) =>
  items.map((item) =>
    item._tag === "Record"
      ? { line: item.location._tag === "csv" ? item.location.line : -1, data: item.data }
      : { line: item.location._tag === "csv" ? item.location.line : -1, reason: item.reason, raw: item.raw }
  )

describe("readCsv", () => {
  it.effect("reads rows keyed by the trimmed header names, located by file and line", () =>
    Effect.gen(function*() {
      const path = files.write("basic.csv", " id ,name,  city\n1,Ann,Oslo\n2,Bob,Rome\n")
      const items = yield* read(path)
      expect(items).toEqual([
        { _tag: "Record", location: { _tag: "csv", file: path, line: 2 }, data: { id: "1", name: "Ann", city: "Oslo" } },
        { _tag: "Record", location: { _tag: "csv", file: path, line: 3 }, data: { id: "2", name: "Bob", city: "Rome" } }
      ])
    }))

  it.effect("keeps the path exactly as given in the location", () =>
    Effect.gen(function*() {
      const path = files.write("relative-name.csv", "a\n1\n")
      const relative = path.replace(process.cwd() + "/", "./")
      const items = yield* read(relative)
      expect(items[0]!.location).toEqual({ _tag: "csv", file: relative, line: 2 })
    }))

  it.effect("strips a UTF-8 byte order mark so the first header is clean", () =>
    Effect.gen(function*() {
      const path = files.write("bom.csv", "\uFEFFid,name\n7,Zoë\n")
      const [item] = records(yield* read(path))
      expect(Object.keys(item!.data)).toEqual(["id", "name"])
      expect(item!.data).toEqual({ id: "7", name: "Zoë" })
    }))

  it.effect("reads CRLF files, and files mixing CRLF and LF", () =>
    Effect.gen(function*() {
      const crlf = files.write("crlf.csv", "id,name\r\n1,Ann\r\n2,Bob\r\n")
      expect(summary(yield* read(crlf))).toEqual([
        { line: 2, data: { id: "1", name: "Ann" } },
        { line: 3, data: { id: "2", name: "Bob" } }
      ])
      const mixed = files.write("mixed.csv", "id,name\r\n1,Ann\n2,Bob\r\n3,Cy")
      expect(summary(yield* read(mixed))).toEqual([
        { line: 2, data: { id: "1", name: "Ann" } },
        { line: 3, data: { id: "2", name: "Bob" } },
        { line: 4, data: { id: "3", name: "Cy" } }
      ])
    }))

  it.effect("reads an old Mac export whose lines end in CR alone", () =>
    Effect.gen(function*() {
      const path = files.write("mac.csv", "id,note\r1,\"a\rb\"\r\r2,c\r")
      expect(summary(yield* read(path))).toEqual([
        { line: 2, data: { id: "1", note: "a\rb" } },
        { line: 5, data: { id: "2", note: "c" } }
      ])
    }))

  it.effect("reads quoted delimiters, doubled quotes and line breaks, and numbers the rows after them by their own line", () =>
    Effect.gen(function*() {
      const content = [
        "id,note,tail",
        "1,\"a, b\",x",
        "2,\"she said \"\"hi\"\"\",y",
        "3,\"line one",
        "line two",
        "line three\",z",
        "4,\"crlf\r\ninside\",w",
        "5,plain,v",
        ""
      ].join("\n")
      const path = files.write("quoted.csv", content)
      expect(summary(yield* read(path))).toEqual([
        { line: 2, data: { id: "1", note: "a, b", tail: "x" } },
        { line: 3, data: { id: "2", note: "she said \"hi\"", tail: "y" } },
        { line: 4, data: { id: "3", note: "line one\nline two\nline three", tail: "z" } },
        { line: 7, data: { id: "4", note: "crlf\r\ninside", tail: "w" } },
        { line: 9, data: { id: "5", note: "plain", tail: "v" } }
      ])
    }))

  it.effect("counts a CRLF inside a quoted field of a CRLF file as one line", () =>
    Effect.gen(function*() {
      // csv-parse's own info.lines counts this CRLF twice; the rows after it must not drift.
      const path = files.write("crlf-quoted.csv", "id,note\r\n1,\"a\r\nb\r\nc\"\r\n2,d\r\n")
      expect(summary(yield* read(path))).toEqual([
        { line: 2, data: { id: "1", note: "a\r\nb\r\nc" } },
        { line: 5, data: { id: "2", note: "d" } }
      ])
    }))

  it.effect("skips blank lines by default, keeping the lines of what follows", () =>
    Effect.gen(function*() {
      const path = files.write("blank.csv", "\nid,name\n\n1,Ann\r\n\r\n\n2,Bob\n\n")
      expect(summary(yield* read(path))).toEqual([
        { line: 4, data: { id: "1", name: "Ann" } },
        { line: 7, data: { id: "2", name: "Bob" } }
      ])
    }))

  it.effect("with skipEmptyLines false, a blank line is an unreadable row", () =>
    Effect.gen(function*() {
      const path = files.write("blank-kept.csv", "id,name\n1,Ann\n\n2,Bob\n")
      expect(summary(yield* read(path, { skipEmptyLines: false }))).toEqual([
        { line: 2, data: { id: "1", name: "Ann" } },
        { line: 3, reason: "empty line, expected 2 cells", raw: "" },
        { line: 4, data: { id: "2", name: "Bob" } }
      ])
    }))

  it.effect("reads a ';' delimiter with a custom quote", () =>
    Effect.gen(function*() {
      const path = files.write("semicolon.csv", "id;note\n1;'a;b'\n2;'it''s'\n3;plain\n")
      expect(summary(yield* read(path, { delimiter: ";", quote: "'", escape: "'" }))).toEqual([
        { line: 2, data: { id: "1", note: "a;b" } },
        { line: 3, data: { id: "2", note: "it's" } },
        { line: 4, data: { id: "3", note: "plain" } }
      ])
    }))

  it.effect("reads a backslash escape inside quotes", () =>
    Effect.gen(function*() {
      const path = files.write("backslash.csv", "id,note\n1,\"say \\\"hi\\\"\"\n")
      expect(summary(yield* read(path, { escape: "\\" }))).toEqual([
        { line: 2, data: { id: "1", note: "say \"hi\"" } }
      ])
    }))

  it.effect("decodes Windows-1252 bytes (é, ’ and € are 0xE9, 0x92 and 0x80)", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([
        Buffer.from("id,name\n1,Caf"),
        Buffer.from([0xe9]),
        Buffer.from(" l"),
        Buffer.from([0x92]),
        Buffer.from("ami "),
        Buffer.from([0x80]),
        Buffer.from("5\n")
      ])
      const path = files.write("cp1252.csv", bytes)
      expect(summary(yield* read(path, { encoding: "windows-1252" }))).toEqual([
        { line: 2, data: { id: "1", name: "Café l’ami €5" } }
      ])
    }))

  it.effect("decodes Latin-1 under both its names", () =>
    Effect.gen(function*() {
      const path = files.write("latin1.csv", Buffer.from("id,name\n1,Ren\u00e9e \u00ff \u00a3\n", "latin1"))
      for (const encoding of ["latin1", "iso-8859-1"] as const) {
        expect(summary(yield* read(path, { encoding }))).toEqual([
          { line: 2, data: { id: "1", name: "Renée ÿ £" } }
        ])
      }
    }))

  it.effect("gunzips a .gz file by default, and any file with gzip: true", () =>
    Effect.gen(function*() {
      const content = gzipSync(Buffer.from("id,name\n1,Ann\n2,\"B\nob\"\n3,Cy\n"))
      const expected = [
        { line: 2, data: { id: "1", name: "Ann" } },
        { line: 3, data: { id: "2", name: "B\nob" } },
        { line: 5, data: { id: "3", name: "Cy" } }
      ]
      expect(summary(yield* read(files.write("cases.csv.gz", content)))).toEqual(expected)
      expect(summary(yield* read(files.write("cases.GZ", content)))).toEqual(expected)
      expect(summary(yield* read(files.write("cases-zipped.csv", content), { gzip: true }))).toEqual(expected)
    }))

  it.effect("fails with UnsupportedEncoding, saying so, for a UTF-16 file (either byte order), whatever encoding is set", () =>
    Effect.gen(function*() {
      const text = "id,name\n1,Ann\n"
      const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])
      const big = Buffer.from(little.toString("binary").replace(/([\s\S])([\s\S])/g, "$2$1"), "binary")
      for (const [name, bytes, options] of [["le.csv", little, {}], ["be.csv", big, {}], ["le-latin1.csv", little, { encoding: "latin1" as const }]] as const) {
        const error = yield* readFailure(files.write(name, bytes), options)
        expect(error.reason).toBe("UnsupportedEncoding")
        expect(error.message).toMatch(/UTF-16/)
        expect(error.message).toMatch(/save it as UTF-8/)
      }
    }))

  it.effect("fails with ReadFailed when a gzip file is corrupt or cut short", () =>
    Effect.gen(function*() {
      const notGzip = yield* readFailure(files.write("plain-text.csv.gz", "id\n1\n"))
      expect(notGzip.reason).toBe("ReadFailed")
      expect(notGzip.detail).toMatch(/gzip/)
      const full = gzipSync(Buffer.from("id,name\n" + "1,Ann\n".repeat(1000)))
      const cut = yield* readFailure(files.write("cut.csv.gz", full.subarray(0, full.length - 10)))
      expect(cut.reason).toBe("ReadFailed")
      expect(cut.message).toContain("cut.csv.gz")
    }))

  it.effect("makes a row with the wrong cell count unreadable, at its line, and reads on", () =>
    Effect.gen(function*() {
      const path = files.write("cells.csv", "a,b,c\n1,2,3\n4,5,6,7,8\n9,10\n11,12,13\n")
      expect(summary(yield* read(path))).toEqual([
        { line: 2, data: { a: "1", b: "2", c: "3" } },
        { line: 3, reason: "expected 3 cells, found 5", raw: "4,5,6,7,8" },
        { line: 4, reason: "expected 3 cells, found 2", raw: "9,10" },
        { line: 5, data: { a: "11", b: "12", c: "13" } }
      ])
    }))

  it.effect("makes an unterminated quote at the end unreadable, after reading the rows before it", () =>
    Effect.gen(function*() {
      const path = files.write("open-quote.csv", "id,note\r\n1,ok\r\n2,\"never closed\r\nstill inside\r\n")
      const items = yield* read(path)
      expect(summary(items)).toEqual([
        { line: 2, data: { id: "1", note: "ok" } },
        {
          line: 3,
          reason: expect.stringMatching(/^unterminated quote: .* never closed.*\(2 lines\)/),
          raw: "2,\"never closed\r\nstill inside"
        }
      ])
    }))

  it.effect("makes one unreadable item, to the end of the file, of a quote that swallows more than maxRecordSize characters", () =>
    Effect.gen(function*() {
      const swallowed = Array.from({ length: 200 }, (_, i) => `${i + 10},row ${i}`).join("\n")
      const path = files.write("runaway.csv", `id,note\n1,ok\n2,"runaway\n${swallowed}\n`)
      const items = yield* read(path, { maxRecordSize: 500 })
      expect(items).toHaveLength(2)
      expect(summary(items)[0]).toEqual({ line: 2, data: { id: "1", note: "ok" } })
      const last = unreadable(items)[0]!
      expect(last.location).toEqual({ _tag: "csv", file: path, line: 3 })
      // Reading no longer stops at such a row (issue 7, item 5): here the row simply runs to the end.
      expect(last.reason).toMatch(/longer than maxRecordSize \(500 characters\): a quoted field .* never closed.*rest of the file \(201 lines\) was read as part of it/)
      expect(last.raw.startsWith("2,\"runaway\n10,row 0")).toBe(true)
    }))

  it.effect("keeps stray quotes inside unquoted cells as text", () =>
    Effect.gen(function*() {
      const path = files.write("stray.csv", "id,size\n1,27\" screen\n")
      expect(summary(yield* read(path))).toEqual([{ line: 2, data: { id: "1", size: "27\" screen" } }])
    }))

  it.effect("makes a row with bytes that are not UTF-8 unreadable, and keeps a real U+FFFD", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([
        Buffer.from("id,name\n1,Ann\n2,Caf"),
        Buffer.from([0xe9]), // Windows-1252 é in a file read as UTF-8
        Buffer.from("\n3,\"multi\nline "),
        Buffer.from([0xc3]), // a lead byte with no continuation, on the second line of row 3
        Buffer.from("\"\n4,\uFFFD is fine\n5,Bob\n")
      ])
      const items = yield* read(files.write("bad-utf8.csv", bytes))
      expect(summary(items).map(({ line, ...rest }) => ({ line, ok: "data" in rest }))).toEqual([
        { line: 2, ok: true },
        { line: 3, ok: false },
        { line: 4, ok: false },
        { line: 6, ok: true },
        { line: 7, ok: true }
      ])
      for (const item of unreadable(items)) {
        expect(item.reason).toMatch(/not valid UTF-8.*Windows-1252/)
      }
      expect(records(items)[1]!.data).toEqual({ id: "4", name: "\uFFFD is fine" })
    }))

  it.effect("makes a row with a byte Windows-1252 leaves undefined unreadable", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([Buffer.from("id,name\n1,a"), Buffer.from([0x81]), Buffer.from("b\n2,ok\n")])
      const items = yield* read(files.write("cp1252-undefined.csv", bytes), { encoding: "windows-1252" })
      expect(summary(items).map((s) => [s.line, "reason" in s ? s.reason : "ok"])).toEqual([
        [2, expect.stringMatching(/undefined in Windows-1252/)],
        [3, "ok"]
      ])
    }))

  it.effect("trims every cell when asked, quoted or not", () =>
    Effect.gen(function*() {
      const path = files.write("trim.csv", "id,name\n 1 ,\"  Ann \"\n")
      expect(summary(yield* read(path))).toEqual([{ line: 2, data: { id: " 1 ", name: "  Ann " } }])
      expect(summary(yield* read(path, { trim: true }))).toEqual([{ line: 2, data: { id: "1", name: "Ann" } }])
    }))

  it.effect("takes column names from the options when the file has no header row", () =>
    Effect.gen(function*() {
      const path = files.write("headerless.csv", "1,Ann\n2,Bob,extra\n")
      expect(summary(yield* read(path, { header: ["id", "name"] }))).toEqual([
        { line: 1, data: { id: "1", name: "Ann" } },
        { line: 2, reason: "expected 2 cells, found 3", raw: "2,Bob,extra" }
      ])
    }))

  it.effect("keeps a column named __proto__ as an ordinary column", () =>
    Effect.gen(function*() {
      const path = files.write("proto.csv", "__proto__,constructor\nx,y\n")
      const [item] = records(yield* read(path))
      expect(Object.keys(item!.data)).toEqual(["__proto__", "constructor"])
      expect(Object.getPrototypeOf(item!.data)).toBe(Object.prototype)
      expect(item!.data["__proto__"]).toBe("x")
    }))

  it.effect("lets the consumer stop early on a large file", () =>
    Effect.gen(function*() {
      const path = files.write("large.csv", "id,name\n" + "1,Ann\n".repeat(200_000))
      const head = yield* Stream.runCollect(Stream.take(readCsv(CsvSourceOptions.make({ path })), 3))
      expect(Chunk.toReadonlyArray(head).map((item) => item.location)).toEqual([
        { _tag: "csv", file: path, line: 2 },
        { _tag: "csv", file: path, line: 3 },
        { _tag: "csv", file: path, line: 4 }
      ])
    }))
})

describe("readCsv failures", () => {
  it.effect("fails with FileNotFound, naming the path, when the file is missing", () =>
    Effect.gen(function*() {
      const path = files.path("does-not-exist.csv")
      const error = yield* readFailure(path)
      expect(error).toBeInstanceOf(CsvSourceError)
      expect(error.reason).toBe("FileNotFound")
      expect(error.path).toBe(path)
      expect(error.message).toContain(path)
    }))

  it.effect("fails with NotAFile when the path is a directory", () =>
    Effect.gen(function*() {
      const error = yield* readFailure(files.path(""))
      expect(error.reason).toBe("NotAFile")
      expect(error.detail).toMatch(/directory/)
    }))

  it.effect("fails with InvalidHeader naming duplicate and empty header names", () =>
    Effect.gen(function*() {
      const error = yield* readFailure(files.write("dupes.csv", "id,Name, id ,,Name,x,\n1,2,3,4,5,6,7\n"))
      expect(error.reason).toBe("InvalidHeader")
      expect(error.detail).toBe(
        "the header row (line 1) has duplicate column names: \"id\" (columns 1, 3), \"Name\" (columns 2, 5); " +
          "empty column names at columns 4, 7"
      )
    }))

  it.effect("fails with InvalidHeader when the file is empty or only blank lines", () =>
    Effect.gen(function*() {
      for (const content of ["", "\n\r\n\n", "\uFEFF"]) {
        const error = yield* readFailure(files.write("empty.csv", content))
        expect(error.reason).toBe("InvalidHeader")
        expect(error.detail).toMatch(/no header row/)
      }
    }))

  it.effect("fails with InvalidHeader when the header row is not valid in the encoding or never closes a quote", () =>
    Effect.gen(function*() {
      const badBytes = yield* readFailure(files.write("bad-header.csv", Buffer.from("id,nom_\xe9\n1,2\n", "latin1")))
      expect(badBytes.reason).toBe("InvalidHeader")
      expect(badBytes.detail).toMatch(/header row \(line 1\) contains bytes that are not valid UTF-8/)
      const openQuote = yield* readFailure(files.write("open-header.csv", "id,\"name\n"))
      expect(openQuote.reason).toBe("InvalidHeader")
      expect(openQuote.detail).toMatch(/never closed/)
    }))

  it.effect("fails with InvalidOptions for repeated given names or a quote equal to the delimiter", () =>
    Effect.gen(function*() {
      const path = files.write("options.csv", "1,2\n")
      const names = yield* readFailure(path, { header: ["id", "id"] })
      expect(names.reason).toBe("InvalidOptions")
      expect(names.detail).toMatch(/"id" \(columns 1, 2\)/)
      const quote = yield* readFailure(path, { delimiter: "'", quote: "'" })
      expect(quote.reason).toBe("InvalidOptions")
    }))
})

describe("CsvSourceOptions", () => {
  it("decodes from run-config shaped input, filling the defaults", () => {
    expect(Schema.decodeUnknownSync(CsvSourceOptions)({ path: "cases.csv", delimiter: ";" })).toEqual({
      path: "cases.csv",
      delimiter: ";",
      quote: "\"",
      escape: "\"",
      encoding: "utf-8",
      gzip: "auto",
      header: true,
      skipEmptyLines: true,
      trim: false,
      maxRecordSize: 1_000_000
    })
  })

  it("rejects an unknown encoding and a delimiter holding a line break", () => {
    const decode = Schema.decodeUnknownEither(CsvSourceOptions)
    expect(Either.isLeft(decode({ path: "a.csv", encoding: "utf-16" }))).toBe(true)
    expect(Either.isLeft(decode({ path: "a.csv", delimiter: "\n" }))).toBe(true)
    expect(Either.isLeft(decode({ path: "" }))).toBe(true)
  })
})
