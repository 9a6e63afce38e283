// The floor under `plan`'s records per CPU-second: csv-parse alone over the same file, in a child
// process measured the same way (whole process, start-up included, by bench/rusage.cjs).
// `node --require ./bench/rusage.cjs bench/csvParseAlone.mjs FILE [defaults|casesync]`:
// `defaults` is csv-parse as it comes (rows as arrays), `casesync` the options src/sources/csv/CsvSource.ts
// gives it (raw text of each row kept, every line end, relaxed counts and quotes). Prints the rows read.
import { parse } from "csv-parse"
import { createReadStream } from "node:fs"

const [file, options = "defaults"] = process.argv.slice(2)
const casesyncOptions = {
  bom: true,
  raw: true,
  record_delimiter: ["\r\n", "\n", "\r"],
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: false,
  skip_records_with_error: true
}
let rows = 0
for await (const _ of createReadStream(file).pipe(parse(options === "casesync" ? casesyncOptions : {}))) rows++
console.log(JSON.stringify({ rows }))
