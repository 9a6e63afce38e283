// Completes package-lock.json with the other platforms' optional native packages.
//
// The npm registry reachable from this workplace serves only some platform builds
// (e.g. @rollup/rollup-linux-x64-gnu, but not -darwin-arm64), so `npm install` here
// writes a lockfile without them and `npm ci` then refuses it as "out of sync".
// Each missing entry is added with the os/cpu/libc its name encodes, so npm ci skips
// it on this platform exactly as it would with a lockfile made elsewhere.
// Run after `npm install`: node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs"

const file = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(readFileSync(file, "utf8"))
const packages = lock.packages

const platformOf = (name) => {
  const tail = name.split("/").pop()
  const os = ["darwin", "linux", "win32", "freebsd", "openbsd", "android", "openharmony", "sunos", "aix", "netbsd"].find((o) => tail.includes(`-${o}-`) || tail.startsWith(`${o}-`))
  const cpu = ["arm64", "x64", "ia32", "loong64", "ppc64", "riscv64", "s390x", "arm"].find((c) => new RegExp(`-${c}(-|$)`).test(tail))
  const libc = /-musl/.test(tail) ? "musl" : os === "linux" && /-gnu/.test(tail) ? "glibc" : undefined
  return { os, cpu, libc }
}

let added = 0
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `${path === "" ? "" : `${path}/`}node_modules/${dep}`
    const hoisted = `node_modules/${dep}`
    if (packages[where] || packages[hoisted]) continue
    const { cpu, libc, os } = platformOf(dep)
    if (os === undefined || cpu === undefined) continue
    packages[hoisted] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {})
    }
    added++
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)))
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n")
console.log(`added ${added} platform entries to package-lock.json`)
