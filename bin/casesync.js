#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script, or by
// `npm run build`), so that start-up is plain JavaScript with no TypeScript compiler.
try {
  await import("../dist/bin.js")
} catch (error) {
  // Only a missing build is explained here; any other error is the program's own.
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/bin.js")) throw error
  console.error("casesync: dist/ is missing: run `npm run build` (npm ci does it, unless scripts were ignored)")
  process.exitCode = 2
}
