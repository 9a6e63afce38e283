import { afterAll } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { CsvSourceOptions, readCsv } from "../../../src/sources/csv/CsvSource.js"
import { sourceContract } from "../SourceContract.js"

// Written at load time because the contract suite takes its input when it is declared.
const dir = mkdtempSync(join(tmpdir(), "casesync-csv-contract-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const content = [
  "\uFEFFcase_id,customer,status,note",
  "C-1,cust-1,open,\"multi",
  "line, with \"\"quotes\"\"\"",
  "",
  "C-2,cust-2,closed,plain",
  "C-3,cust-3,too,many,cells",
  "C-4,cust-1,open,Caf\u00e9",
  ""
].join("\r\n")

const plain = join(dir, "cases.csv")
writeFileSync(plain, content)
const zipped = join(dir, "cases.csv.gz")
writeFileSync(zipped, gzipSync(Buffer.from(content)))

sourceContract("CSV file", {
  read: readCsv(CsvSourceOptions.make({ path: plain })),
  expected: { records: 3, unreadable: 1 }
})

sourceContract("gzipped CSV file", {
  read: readCsv(CsvSourceOptions.make({ path: zipped })),
  expected: { records: 3, unreadable: 1 }
})
