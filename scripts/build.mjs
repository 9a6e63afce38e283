#!/usr/bin/env node
// Compiles src/ to dist/ once, at install (`npm ci` runs it as `prepare`), so that
// `bin/casesync.js` starts plain JavaScript. esbuild bundles the code and its Effect
// libraries: Node 20 pays per module file, and @effect/cli alone is hundreds of files
// (tsc's one-file-per-module output started `--help` at 8× `node -e 0`). Code splitting
// keeps each command's implementation in chunks loaded only when the command is chosen.
// The type check stays `tsc --noEmit`; esbuild only strips the types.
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a source is newer than dist/
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dist = path.join(root, "dist")
const stamp = path.join(dist, ".built")
// Everything the output depends on: the sources, the dependencies, and this script.
const inputs = ["src", "package.json", "package-lock.json", "scripts/build.mjs"].map((p) => path.join(root, p))

const newestMtime = (file) => {
  const stat = fs.statSync(file)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)))
  return newest
}

/** True when dist/ is missing or older than one of its inputs. */
export const isStale = () =>
  !fs.existsSync(stamp) || Math.max(...inputs.filter((p) => fs.existsSync(p)).map(newestMtime)) > fs.statSync(stamp).mtimeMs

/** Bundles src/bin.ts (and the chunks it imports lazily) into dist/. */
export const build = async () => {
  const esbuild = await import("esbuild")
  fs.rmSync(dist, { recursive: true, force: true })
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/bin.ts"],
    outdir: "dist",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    // A native addon and pg's optional native binding cannot be bundled; Node loads them from node_modules.
    external: ["better-sqlite3", "pg-native"],
    // Bundled CommonJS dependencies call require(); give the ES module output one.
    banner: { js: "import { createRequire as __casesyncRequire } from \"node:module\"; const require = __casesyncRequire(import.meta.url);" },
    logLevel: "warning"
  })
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale") && !isStale()) process.exit(0)
  await build()
}
