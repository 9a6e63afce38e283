import { it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { checkSourceFile, restoreBodies } from "../../src/apply/SourceBodies.js"
import type { CreateReference } from "../../src/plan/BodyReference.js"
import type { PlanItem, PlanSourceFile } from "../../src/plan/Plan.js"
import type { RecordMapper } from "../../src/plan/Planner.js"
import type { SourceItem } from "../../src/sources/SourceRecord.js"
import { CsvSourceOptions } from "../../src/sources/csv/CsvSourceOptions.js"

// Apply makes a CSV plan's bodies again from the file the plan read: the file must be the one
// the header seals, and each referred line is mapped again beside the plan's items.

const sealOf = (file: string): PlanSourceFile => {
  const bytes = fs.readFileSync(file)
  return { options: CsvSourceOptions.make({ path: file }), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length }
}

describe("checkSourceFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-source-check-"))
  const file = path.join(dir, "cases.csv")
  const text = "id,name\nLB-1,one\nLB-2,two\n"

  it.effect("passes the file the plan read, and names the file and what differs otherwise", () =>
    Effect.gen(function*() {
      fs.writeFileSync(file, text)
      const seal = sealOf(file)
      yield* checkSourceFile("plan-1", seal, file)

      fs.writeFileSync(file, text.replace("one", "uno"))
      const sameSize = yield* checkSourceFile("plan-1", seal, file).pipe(Effect.flip)
      expect(sameSize._tag).toBe("SourceFileChanged")
      expect(sameSize.reason).toBe("Changed")
      expect(sameSize.message).toContain(file)
      expect(sameSize.message).toContain(`same size (${seal.size} bytes), but its SHA-256 was ${seal.sha256.slice(0, 12)}`)
      expect(sameSize.message).toContain("make a new plan")

      fs.writeFileSync(file, `${text}LB-3,three\n`)
      const grown = yield* checkSourceFile("plan-1", seal, file).pipe(Effect.flip)
      expect(grown.message).toContain(`it had ${seal.size} bytes, it has ${seal.size + 11} now`)

      fs.rmSync(file)
      const missing = yield* checkSourceFile("plan-1", seal, file).pipe(Effect.flip)
      expect(missing.reason).toBe("Missing")
      expect(missing.message).toContain(`${file}, which is missing`)
    }))
})

describe("restoreBodies", () => {
  const reference = (line: number): CreateReference => ({
    _tag: "create",
    sourceKey: `LB-${line}`,
    externalId: `legacy-LB-${line}`,
    location: { _tag: "csv", file: "cases.csv", line },
    personId: "BO-1",
    bodyDigest: "planned"
  })
  const record = (line: number, data: Record<string, unknown> = { line }): SourceItem => ({ _tag: "Record", location: { _tag: "csv", file: "cases.csv", line }, data })
  // Maps line n to LB-n, except a record marked `reject`.
  const mapper: RecordMapper = {
    ownedFields: ["name"],
    map: (item) =>
      Effect.succeed(
        item.data["reject"] === true
          ? Either.left({ field: "status", reason: "unknown code" })
          : Either.right({
            sourceKey: `LB-${item.data["line"]}`,
            externalId: `legacy-LB-${item.data["line"]}`,
            borrower: { externalId: "BRW-1" },
            body: { typeId: "101", externalId: `legacy-LB-${item.data["line"]}`, name: `n${item.data["line"]}` },
            values: { name: `n${item.data["line"]}` }
          })
      )
  }
  const restore = (entries: ReadonlyArray<PlanItem | CreateReference>, source: ReadonlyArray<SourceItem>) =>
    Stream.runCollect(restoreBodies(Stream.fromIterable(entries), Stream.fromIterable(source).pipe(Stream.rechunk(2)), mapper)).pipe(
      Effect.map(Chunk.toArray)
    )

  it.effect("gives each reference the body of the record at its line; whole items pass through untouched", () =>
    Effect.gen(function*() {
      const whole: PlanItem = {
        _tag: "reject", location: { _tag: "csv", file: "cases.csv", line: 3 }, sourceKey: null, externalId: null, field: "x", reason: "y", raw: {}
      }
      const out = yield* restore([reference(2), whole, reference(5)], [record(2), record(3), record(4), record(5), record(6)])
      expect(out[1]).toBe(whole)
      expect(out.map((item) => (item._tag === "create" ? [item.sourceKey, item.body["name"], item.values, item.bodyDigest] : item._tag))).toEqual([
        ["LB-2", "n2", { name: "n2" }, "planned"],
        "reject",
        ["LB-5", "n5", { name: "n5" }, "planned"]
      ])
    }))

  it.effect("a line with no record now, an unreadable one, one the mapping rejects or one of another key: no body, refused where bodies are judged", () =>
    Effect.gen(function*() {
      const unreadable: SourceItem = { _tag: "Unreadable", location: { _tag: "csv", file: "cases.csv", line: 4 }, reason: "bad", raw: "x" }
      const out = yield* restore(
        [reference(3), reference(4), reference(5), reference(6), reference(9)],
        [record(2), unreadable, record(5, { line: 5, reject: true }), record(6, { line: 7 })]
      )
      expect(out.map((item) => (item._tag === "create" ? item.body : undefined))).toEqual([{}, {}, {}, {}, {}])
    }))
})
