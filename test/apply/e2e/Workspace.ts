import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root: where `bin/casesync.js` runs from and the samples live. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** Absolute paths of the shipped samples and mappings the end-to-end tests migrate. */
export const samples = {
  csv: path.join(repoRoot, "samples/csv/legacy-cases.csv"),
  csvExpected: path.join(repoRoot, "samples/csv/legacy-cases.expected.json"),
  csvMapping: path.join(repoRoot, "mappings/legacy-csv-to-peach.yaml"),
  khorosCases: path.join(repoRoot, "samples/khoros/cases.json"),
  khorosMapping: path.join(repoRoot, "mappings/khoros-to-peach.yaml"),
  agents: path.join(repoRoot, "samples/lookups/agents.csv")
} as const

/** A temporary folder for one test's configs, state and outputs, removed when the scope closes. */
export const makeTempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), `casesync-${prefix}-`))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** What a run config written by a test says; every path is absolute. */
export interface RunConfigSpec {
  /** Where to write the config (state and output go beside it unless given). */
  readonly dir: string
  readonly targetUrl: string
  readonly job?: string
  readonly configName?: string
  readonly state?: string
  readonly output?: string
  readonly applyConcurrency?: number
  readonly mapping?: string
  /** The target's list page size (`target.pageSize`). */
  readonly pageSize?: number
}

const common = (spec: RunConfigSpec, mapping: string) =>
  [
    `mapping: ${JSON.stringify(spec.mapping ?? mapping)}`,
    "target:",
    `  baseUrl: ${JSON.stringify(spec.targetUrl)}`,
    "  token: sandbox-token",
    "  timeoutMillis: 10000",
    ...(spec.pageSize === undefined ? [] : [`  pageSize: ${spec.pageSize}`]),
    `state: ${JSON.stringify(spec.state ?? path.join(spec.dir, "state.db"))}`,
    `output: ${JSON.stringify(spec.output ?? path.join(spec.dir, "out"))}`,
    ...(spec.applyConcurrency === undefined ? [] : [`applyConcurrency: ${spec.applyConcurrency}`])
  ]

/**
 * Copies the shipped CSV mapping into `dir` with its lookup table at the same relative place
 * (`../samples/lookups/agents.csv`): a lookup must lie inside the mapping's or the config's
 * folder, and a test's config lives in a temporary folder.
 */
const copyShippedCsvMapping = (dir: string): string => {
  const mapping = path.join(dir, "mappings", path.basename(samples.csvMapping))
  const agents = path.join(dir, "samples/lookups", path.basename(samples.agents))
  fs.mkdirSync(path.dirname(mapping), { recursive: true })
  fs.mkdirSync(path.dirname(agents), { recursive: true })
  fs.copyFileSync(samples.csvMapping, mapping)
  fs.copyFileSync(samples.agents, agents)
  return mapping
}

/** Writes a run config that migrates a CSV export (the sample or a copy) and returns its path. */
export const writeCsvConfig = (spec: RunConfigSpec & { readonly csv: string }): string => {
  const file = path.join(spec.dir, spec.configName ?? "legacy-csv.casesync.yaml")
  fs.writeFileSync(file, [
    `job: ${spec.job ?? "legacy-csv"}`,
    "source:",
    "  kind: csv",
    `  path: ${JSON.stringify(spec.csv)}`,
    "  encoding: utf-8",
    ...common(spec, spec.mapping ?? copyShippedCsvMapping(spec.dir)),
    ""
  ].join("\n"))
  return file
}

/** Writes a run config that reads the sandbox's Khoros-style CRM at `crmUrl` (customers = the target's borrowers). */
export const writeKhorosConfig = (spec: RunConfigSpec & { readonly crmUrl: string }): string => {
  const file = path.join(spec.dir, spec.configName ?? "khoros.casesync.yaml")
  fs.writeFileSync(file, [
    `job: ${spec.job ?? "khoros-crm"}`,
    "source:",
    "  kind: khoros",
    `  baseUrl: ${JSON.stringify(spec.crmUrl)}`,
    "  apiKey: sandbox-key",
    "  customers: borrowers",
    "  customerConcurrency: 4",
    ...common(spec, samples.khorosMapping),
    ""
  ].join("\n"))
  return file
}

/**
 * A text file cut into physical lines, each with the break that ends it (the sample ends records
 * with CRLF and breaks notes inside quoted cells with LF), so a copy keeps every other byte.
 */
export const physicalLines = (text: string): Array<{ text: string; eol: string }> => {
  const parts = text.split(/(\r\n|\n|\r)/)
  const lines: Array<{ text: string; eol: string }> = []
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i]!, eol: parts[i + 1] ?? "" })
  return lines
}

/**
 * Copies a CSV export, rewriting some physical lines (1-based) and optionally keeping only the
 * first lines; every other byte is kept, so line numbers (the records' locations) stay the same.
 */
export const copyCsv = (
  from: string,
  to: string,
  edits: Readonly<Record<number, (line: string) => string>> = {},
  options: { readonly keepLines?: number } = {}
): string => {
  const lines = physicalLines(fs.readFileSync(from, "utf-8"))
  for (const [number, edit] of Object.entries(edits)) {
    const line = lines[Number(number) - 1]
    if (line === undefined) throw new Error(`${from} has no line ${number}`)
    const after = edit(line.text)
    if (after === line.text) throw new Error(`the edit of ${from}:${number} changed nothing`)
    line.text = after
  }
  const kept = options.keepLines === undefined ? lines : lines.slice(0, options.keepLines)
  fs.writeFileSync(to, kept.map((line) => line.text + line.eol).join(""))
  return to
}
