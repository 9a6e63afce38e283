// The floor under `plan`'s records per CPU-second: csv-parse alone over the same file, in a child
// process measured the same way (whole process, start-up included, by bench/rusage.cjs).
// `node --require ./bench/rusage.cjs bench/csvParseAlone.mjs FILE [OPTIONS_JSON]`: without options,
// csv-parse as it comes (rows as arrays); bench/plan.ts passes the ones src/sources/csv/CsvSource.ts
// gives it (`parserOptions`). Prints the rows read.
import { parse } from "csv-parse"
import { createReadStream } from "node:fs"

const [file, options = "{}"] = process.argv.slice(2)
let rows = 0
for await (const _ of createReadStream(file).pipe(parse(JSON.parse(options)))) rows++
console.log(JSON.stringify({ rows }))
