/**
 * `npm run bench`: the figures that matter for casesync, printed, never asserted.
 * 1. Reading a large CSV: rows per second and memory (flat however large the file).
 * 2. A migration against the sandbox with a request-rate limit: cases per second as a
 *    share of that limit, write requests per case, and a second pass that writes nothing.
 * 3. The HTML report of a large plan: time and memory to write it, its size, and how
 *    long headless Chromium takes to open it (needs /usr/bin/chromium).
 * 4. Start-up: `casesync --help` (the compiled CLI) against `node -e 0`.
 * Arguments: [csvRows=1000000] [cases=2000] [requestsPerSecond=200] [reportItems=1000000].
 */
import { runCsvBench } from "./csv.js"
import { runMigrateBench } from "./migrate.js"
import { runReportBench } from "./report.js"
import { runStartupBench } from "./startup.js"

const [csvRows, cases, rate, reportItems] = [process.argv[2] ?? "1000000", process.argv[3] ?? "2000", process.argv[4] ?? "200", process.argv[5] ?? "1000000"].map(Number)

console.log(`machine: ${process.version}, ${(await import("node:os")).cpus().length} cores, load ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`)
console.log(`\n== CSV read: ${csvRows} rows`)
const csv = await runCsvBench(csvRows!)
console.log(`  ${csv.rowsPerSecond} rows/s (${csv.fileMegabytes} MiB in ${csv.seconds} s)`)
console.log(`  memory: RSS ${csv.startRssMegabytes} → peak ${csv.peakRssMegabytes} MiB, heap ${csv.startHeapUsedMegabytes} → peak ${csv.peakHeapUsedMegabytes} MiB`)

console.log(`\n== migration: ${cases} cases into a sandbox limited to ${rate} requests/s`)
const migrate = await runMigrateBench(cases!, rate!)
console.log(`  plan ${migrate.planSeconds} s (${migrate.listRequests} list requests), apply ${migrate.applySeconds} s`)
console.log(`  ${migrate.casesPerSecond} cases/s = ${Math.round(migrate.shareOfLimit * 100)}% of the rate limit; ${migrate.writeRequestsPerCase} write requests per case; ${migrate.throttled429} answered 429`)
console.log(`  second pass: ${migrate.secondPassWriteRequests} write requests`)

console.log(`\n== HTML report: a plan of ${reportItems} items`)
const report = await runReportBench(reportItems!)
console.log(`  ${report.mix}`)
console.log(`  plan file alone ${report.planSeconds} s; with the report in the same pass ${report.planWithReportSeconds} s, RSS ${report.startRssMegabytes} → peak ${report.peakRssMegabytes} MiB; ${report.htmlMegabytes} MiB of HTML`)
console.log(`  opened and drawn by headless Chromium in ${report.openSeconds} s`)

console.log(`\n== start-up: casesync --help (compiled) against node -e 0`)
const startup = runStartupBench(20)
console.log(`  ${startup.helpMillis} ms = ${startup.ratio}× node -e 0 (${startup.nodeMillis} ms), median of ${startup.runs} runs each`)
