/**
 * `npm run bench`: the figures that matter for casesync, printed, never asserted.
 * 1. Reading a large CSV: rows per second and memory (flat however large the file).
 * 2. End to end: `casesync migrate` as a child process (start-up included) into a sandbox at
 *    R requests/s with latency, both passes with every request counted (list reads too), and the
 *    same migration by a naive script (look up ext-<id>, then create, one at a time), with the ratio.
 * 2b. `casesync plan` as a child process at two sizes: records per CPU-second and peak RSS, and the growth;
 *     the size of each plan file, its creates and bytes per create line.
 * 2c. `casesync plan` of a small CSV against a target of N cases (bench/bigTarget.ts) at two N: peak RSS
 *     and its growth, the decisions, and the list requests and seconds the listing took.
 * 3. The HTML report of a large plan: time and memory to write it, its size, and how
 *    long headless Chromium takes to open it (needs /usr/bin/chromium).
 * 4. Start-up: `casesync --help` (the compiled CLI) against `node -e 0`.
 * 5. A quiet `casesync sync --once` (child process) over N linked CRM cases: wall time, requests by side, writes (0).
 * Arguments: [csvRows=1000000] [cases=5000] [requestsPerSecond=100] [reportItems=1000000]
 *            [planSmallRows=100000] [planLargeRows=1000000] [latencyMs=20] [syncCases=10000]
 *            [targetSmallCases=100000] [targetLargeCases=1000000] [targetRows=5000].
 * Run with --expose-gc (`npm run bench` does) so the heap figures are read after a collection.
 */
import { runCsvBench } from "./csv.js"
import { runMigrateBench } from "./migrate.js"
import { planCeiling, runPlanBench } from "./plan.js"
import { runPlanTargetBench } from "./planTarget.js"
import { runReportBench } from "./report.js"
import { runStartupBench } from "./startup.js"
import { runSyncBench } from "./sync.js"

const defaults = ["1000000", "5000", "100", "1000000", "100000", "1000000", "20", "10000", "100000", "1000000", "5000"]
const [csvRows, cases, rate, reportItems, planSmall, planLarge, latencyMs, syncCases, targetSmall, targetLarge, targetRows] = defaults.map((value, i) =>
  Number(process.argv[2 + i] ?? value)
)
if (typeof globalThis.gc !== "function") console.log("(without --expose-gc: heap figures are read without a collection first)")

console.log(`machine: ${process.version}, ${(await import("node:os")).cpus().length} cores, load ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`)
console.log(`\n== CSV read: ${csvRows} rows`)
const csv = await runCsvBench(csvRows!)
console.log(`  ${csv.rowsPerSecond} rows/s (${csv.fileMegabytes} MiB in ${csv.seconds} s)`)
console.log(`  memory: RSS ${csv.startRssMegabytes} → peak ${csv.peakRssMegabytes} MiB, heap ${csv.startHeapUsedMegabytes} → peak ${csv.peakHeapUsedMegabytes} MiB`)

console.log(`\n== migrate end to end: ${cases} cases into a sandbox at R = ${rate} requests/s, ${latencyMs} ms latency`)
const migrate = await runMigrateBench(cases!, rate!, latencyMs!)
const perSecond = (n: number, seconds: number) => n / seconds
const { first, naive, rerun } = migrate
console.log(`  casesync migrate (child process, start to exit): ${first.created} created in ${first.seconds.toFixed(2)} s = ${perSecond(first.created, first.seconds).toFixed(1)} cases/s = ${(perSecond(first.created, first.seconds) / rate!).toFixed(3)} R`)
console.log(`    requests ${first.requests} (${first.writeRequests} writes, ${first.listRequests} list reads) = ${(first.requests / first.created).toFixed(4)} per created case; ${first.throttled429} answered 429`)
const cpuPer = (pass: { readonly cpuSeconds: number }, n: number) => `${pass.cpuSeconds.toFixed(2)} CPU-s (user + sys) = ${(1000 * pass.cpuSeconds / n).toFixed(2)} ms per case`
console.log(`    its own CPU: ${cpuPer(first, first.created)}, ${(100 * first.cpuSeconds / first.seconds).toFixed(0)}% of one core over the run`)
console.log(`  rerun: ${rerun.unchanged} unchanged in ${rerun.seconds.toFixed(2)} s, requests ${rerun.requests} (${rerun.writeRequests} writes, ${rerun.listRequests} list reads) = ${(rerun.requests / rerun.unchanged).toFixed(4)} per unchanged case`)
console.log(`    list reads: ${rerun.listed.cases} case pages + ${rerun.listed.people} borrower page${rerun.listed.people === 1 ? "" : "s"} + ${rerun.listed.caseTypes} case-type page${rerun.listed.caseTypes === 1 ? "" : "s"} (one listing of each)`)
console.log(`    its own CPU: ${cpuPer(rerun, rerun.unchanged)}`)
console.log(`  naive script (child process: look up ext-<id>, then create, one at a time): ${naive.created} created in ${naive.seconds.toFixed(2)} s = ${perSecond(naive.created, naive.seconds).toFixed(1)} cases/s, ${(naive.requests / naive.created).toFixed(2)} requests per case; ${naive.throttled429} answered 429`)
console.log(`    its own CPU: ${cpuPer(naive, naive.created)}`)
console.log(`  casesync / naive: ${(naive.seconds / first.seconds).toFixed(1)}× faster`)

console.log(`\n== plan (child process, empty target): ${planSmall} and ${planLarge} rows`)
const plan = await runPlanBench(planSmall!, planLarge!)
for (const run of [plan.small, plan.large]) {
  console.log(`  ${run.rows} rows: ${run.recordsPerCpuSecond} records per CPU-second (${run.cpuSeconds} s user+sys, ${run.wallSeconds} s wall), peak RSS ${run.peakRssMegabytes} MiB`)
  console.log(`    plan.json ${run.planMegabytes} MB (${run.planBytes} bytes), ${run.creates} creates, ${run.bytesPerCreateLine} bytes per create line`)
  const { defaults, casesync } = run.csvParseAlone
  console.log(`    csv-parse alone on the same file (child process, measured the same way): ${defaults.rowsPerCpuSecond} rows per CPU-second as it comes, ${casesync.rowsPerCpuSecond} with casesync's options; plan takes ${(casesync.rowsPerCpuSecond / run.recordsPerCpuSecond).toFixed(1)}× the CPU of the latter`)
}
console.log(`  peak RSS growth ${planSmall} → ${planLarge} rows: ${plan.rssGrowth}×`)
console.log(`  fixed start: a one-row plan takes ${plan.fixedStart.oneRowPlanCpuSeconds} CPU-s (node -e 0: ${plan.fixedStart.nodeCpuSeconds})`)
for (const run of [plan.small, plan.large]) {
  console.log(`    ceiling at ${run.rows} rows, for a plan that paid only that start and csv-parse's reading: ${planCeiling(run, plan.fixedStart)} records per CPU-second`)
}

console.log(`\n== plan (child process) of ${targetRows} rows against a target of ${targetSmall} and ${targetLarge} cases (bench/bigTarget.ts)`)
const targetPlan = await runPlanTargetBench(targetSmall!, targetLarge!, targetRows!)
for (const { cases: held, plan: run, target: served } of [targetPlan.small, targetPlan.large]) {
  const other = served.otherRequests === 0 ? "" : `, ${served.otherRequests} other requests`
  console.log(`  ${held} target cases: peak RSS ${run.peakRssMegabytes} MiB (${run.cpuSeconds} s user+sys, ${run.wallSeconds} s wall)`)
  console.log(`    listing: ${served.caseListRequests} case list requests in ${served.listingSeconds} s (+ ${served.peopleRequests} people, ${served.caseTypeRequests} case types${other}); ${run.decisions}`)
}
console.log(`  peak RSS growth ${targetSmall} → ${targetLarge} target cases: ${targetPlan.rssGrowth}×`)

console.log(`\n== HTML report: a plan of ${reportItems} items`)
const report = await runReportBench(reportItems!)
console.log(`  ${report.mix}`)
console.log(`  plan file alone ${report.planSeconds} s; with the report in the same pass ${report.planWithReportSeconds} s, RSS ${report.startRssMegabytes} → peak ${report.peakRssMegabytes} MiB; ${report.htmlMegabytes} MiB of HTML`)
console.log(`  opened and drawn by headless Chromium in ${report.openSeconds} s`)

console.log(`\n== start-up: casesync --help (compiled) against node -e 0`)
const startup = runStartupBench(20)
console.log(`  ${startup.helpMillis} ms = ${startup.ratio}× node -e 0 (${startup.nodeMillis} ms), median of ${startup.runs} runs each`)

console.log(`\n== quiet sync cycle: casesync sync --once (child process) over ${syncCases} linked CRM cases`)
const sync = await runSyncBench(syncCases!)
const { crm, target } = sync.requests
console.log(`  ${sync.seconds.toFixed(2)} s wall (start to exit), ${sync.linked} linked by migrate in ${sync.migrateSeconds.toFixed(1)} s`)
console.log(`  requests crm ${crm.reads} reads + ${crm.writes} writes, target ${target.reads} reads + ${target.writes} writes (sandbox's count); writes ${crm.writes + target.writes}`)
console.log(`  the cycle printed: ${sync.printed}`)
