// Preloaded into a child casesync (`node --require bench/rusage.cjs …`): at exit, writes the
// process's CPU time and peak RSS to $CASESYNC_RUSAGE_FILE, what /usr/bin/time -v would print.
const fs = require("node:fs")
process.on("exit", () => {
  const file = process.env.CASESYNC_RUSAGE_FILE
  if (!file) return
  const usage = process.resourceUsage()
  fs.writeFileSync(file, JSON.stringify({ userMicros: usage.userCPUTime, systemMicros: usage.systemCPUTime, maxRssKb: usage.maxRSS }))
})
