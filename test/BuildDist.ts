import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * vitest globalSetup: rebuilds dist/ when a source is newer than it, once per test run.
 * The tests that spawn `bin/casesync.js` (the crash test, the sandbox CLI, the CLI's
 * streams and exit codes) then run the current source through the compiled entry point
 * a person runs, rather than tsx (which would not test the build) or a stale dist/.
 * When dist/ is fresh this is one walk over src/'s timestamps.
 */
export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--if-stale"], { cwd: root, stdio: "inherit" })
}
