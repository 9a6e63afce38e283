import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { CsvSourceOptions } from "../../../src/sources/csv/CsvSourceOptions.js"
import {
  customerIds,
  customerIdsFromBorrowers,
  customerIdsFromCsv,
  customerIdsFromList,
  KhorosCustomerSource
} from "../../../src/sources/khoros/KhorosCustomers.js"

const dir = mkdtempSync(join(tmpdir(), "casesync-khoros-customers-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const csvFile = (name: string, content: string) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return Schema.decodeSync(CsvSourceOptions)({ path })
}

const ids = <E, R>(stream: Stream.Stream<string, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const noBorrowers = () => Stream.die("borrowers not asked for")

describe("customer ids", () => {
  it.effect("from a list: trimmed, blanks dropped, order kept", () =>
    Effect.gen(function*() {
      expect(yield* ids(customerIdsFromList([" BRW-1001", "", "BRW-1002 ", "  "]))).toEqual(["BRW-1001", "BRW-1002"])
    }))

  it.effect("from a CSV column: blank cells skipped, other columns ignored", () =>
    Effect.gen(function*() {
      const csv = csvFile("customers.csv", "name,borrower_id\nGrace,BRW-1001\nNobody,\nNoah, BRW-1002 \n")
      expect(yield* ids(customerIdsFromCsv(csv, "borrower_id"))).toEqual(["BRW-1001", "BRW-1002"])
    }))

  it.effect("from a CSV without the column: fails naming the columns it has", () =>
    Effect.gen(function*() {
      const csv = csvFile("wrong.csv", "name,id\nGrace,BRW-1001\n")
      const error = yield* Effect.flip(ids(customerIdsFromCsv(csv, "borrower_id")))
      expect(error._tag).toBe("KhorosCustomerListError")
      expect(error.message).toContain("no column \"borrower_id\" (columns: name, id)")
    }))

  it.effect("from a CSV with an unreadable row: fails naming the line, rather than skipping a customer", () =>
    Effect.gen(function*() {
      const csv = csvFile("broken.csv", "name,borrower_id\nGrace,BRW-1001\nNoah,BRW-1002,extra\n")
      const error = yield* Effect.flip(ids(customerIdsFromCsv(csv, "borrower_id")))
      expect(error._tag === "KhorosCustomerListError" && error.reason).toBe("UnreadableRow")
      expect(error.message).toContain("broken.csv:3")
    }))

  it.effect("from borrowers: their externalIds, borrowers without one skipped", () =>
    Effect.gen(function*() {
      const people = Stream.fromIterable<{ readonly id: string; readonly externalId?: string | null }>([
        { id: "BO-1", externalId: "BRW-1001" },
        { id: "BO-2", externalId: null },
        { id: "BO-3" },
        { id: "BO-4", externalId: "BRW-1004" }
      ])
      expect(yield* ids(customerIdsFromBorrowers(people))).toEqual(["BRW-1001", "BRW-1004"])
    }))

  it.effect("a configured source decodes from the run config and picks its enumeration", () =>
    Effect.gen(function*() {
      csvFile("config.csv", "customer\nC-9\n")
      const decode = Schema.decodeUnknownSync(KhorosCustomerSource)
      expect(yield* ids(customerIds(decode({ _tag: "List", ids: ["C-1"] }), noBorrowers))).toEqual(["C-1"])
      const fromCsv = decode({ _tag: "CsvColumn", csv: { path: join(dir, "config.csv") }, column: "customer" })
      expect(yield* ids(customerIds(fromCsv, noBorrowers))).toEqual(["C-9"])
      const fromBorrowers = customerIds(decode({ _tag: "Borrowers" }), () => Stream.make({ externalId: "BRW-1003" }))
      expect(yield* ids(fromBorrowers)).toEqual(["BRW-1003"])
    }))
})
