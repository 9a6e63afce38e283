import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { crmFields, guessDelimiter, isUtf8, readCsvShape } from "../../src/init/ReadSourceFields.js"
import { makeTempDir, samples } from "../apply/e2e/Workspace.js"

describe("guessDelimiter", () => {
  it("takes the separator the header line uses most, and a comma when it uses none", () => {
    expect(guessDelimiter("a,b,c")).toBe(",")
    expect(guessDelimiter("a;b;c,d")).toBe(";")
    expect(guessDelimiter("a\tb\tc")).toBe("\t")
    expect(guessDelimiter("single")).toBe(",")
  })
})

describe("isUtf8", () => {
  it("tells UTF-8 from windows-1252 bytes, and forgives a character cut at the end", () => {
    expect(isUtf8(Buffer.from("Müller, café", "utf-8"))).toBe(true)
    expect(isUtf8(Buffer.from("Müller", "latin1"))).toBe(false)
    expect(isUtf8(Buffer.from("é", "utf-8").subarray(0, 1))).toBe(true)
  })
})

describe("readCsvShape", () => {
  it.effect("reads the sample's header and the values of its first rows", () =>
    Effect.gen(function*() {
      const shape = yield* readCsvShape(samples.csv)
      expect(shape.delimiter).toBe(",")
      expect(shape.encoding).toBe("utf-8")
      const header = fs.readFileSync(samples.csv, "utf-8").replace(/^\uFEFF/, "").split(/\r?\n/)[0]!.split(",")
      expect(shape.fields.map((f) => f.name)).toEqual(header)
      expect(shape.fields.find((f) => f.name === "case_id")!.samples[0]).toBe("LC-100001")
    }))

  it.scoped("reads a semicolon-separated windows-1252 file, and a header without rows", () =>
    Effect.gen(function*() {
      const dir = yield* makeTempDir("init-csv")
      const file = path.join(dir, "export.csv")
      fs.writeFileSync(file, Buffer.from("id;Kunde;Stadt\r\n1;Müller;Köln\r\n", "latin1"))
      const shape = yield* readCsvShape(file)
      expect(shape).toMatchObject({ delimiter: ";", encoding: "windows-1252" })
      expect(shape.fields).toEqual([{ name: "id", samples: ["1"] }, { name: "Kunde", samples: ["Müller"] }, { name: "Stadt", samples: ["Köln"] }])
      fs.writeFileSync(file, "a,b\n")
      expect((yield* readCsvShape(file)).fields).toEqual([{ name: "a", samples: [] }, { name: "b", samples: [] }])
    }))
})

describe("crmFields", () => {
  it("lists the documented case fields with what seed 003 says of them, then the custom ones of the meta", () => {
    const meta = JSON.parse(fs.readFileSync(path.join(path.dirname(samples.khorosCases), "meta-case.json"), "utf-8"))
    const fields = crmFields(meta)
    expect(fields.find((f) => f.name === "created")?.declared).toEqual({ _tag: "DateTime" })
    expect(fields.find((f) => f.name === "status")?.declared).toEqual({ _tag: "List", values: ["open", "closed"] })
    expect(fields.find((f) => f.name === "priority")?.declared).toEqual({ _tag: "List", values: ["low", "medium", "high"] })
    expect(fields.find((f) => f.name === "escalated")?.declared).toEqual({ _tag: "Boolean" })
    expect(fields.slice(-4).map((f) => f.name)).toEqual(["priority", "product", "escalated", "resolutionNote"])
  })
})
