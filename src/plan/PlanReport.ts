import { Effect, Scope, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { formatLocation } from "../sources/SourceRecord.js"
import type { PlanAction, PlanCounts, PlanHeader, PlanItem } from "./Plan.js"
import { PlanFileError, streamPlanItems } from "./PlanFile.js"

/** The accounting line every run prints: read = created + updated + unchanged + rejected + conflicts + skipped. */
export const accountingLine = (counts: PlanCounts, verbs: "plan" | "done" = "done"): string =>
  verbs === "plan"
    ? `read ${counts.read} = to create ${counts.create} + to update ${counts.update} + unchanged ${counts.unchanged} + rejected ${counts.reject} + conflicts ${counts.conflict} + skipped ${counts.skipped}`
    : `read ${counts.read} = created ${counts.create} + updated ${counts.update} + unchanged ${counts.unchanged} + rejected ${counts.reject} + conflicts ${counts.conflict} + skipped ${counts.skipped}`

/** How many creates the report shows in full; the others are counted per borrower and case type. */
export const createsShown = 100

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? "∅" : typeof value === "string" ? value : JSON.stringify(value)
  const short = text.length > 200 ? `${text.slice(0, 199)}…` : text
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "⏎")
}

const section = (item: PlanItem): string => {
  switch (item._tag) {
    case "update":
      return [
        `### \`${item.externalId}\` → case ${item.caseId} (${formatLocation(item.location)})`,
        "",
        "| field | before | after |",
        "|---|---|---|",
        ...item.changes.map((change) => `| ${cell(change.field)} | ${cell(change.before)} | ${cell(change.after)} |`),
        ""
      ].join("\n")
    case "create":
      return [
        `### \`${item.externalId}\` for borrower ${item.personId} (${formatLocation(item.location)})`,
        "",
        "| field | before | after |",
        "|---|---|---|",
        ...Object.entries(item.values).map(([field, value]) => `| ${cell(field)} | ∅ | ${cell(value)} |`),
        ""
      ].join("\n")
    case "conflict":
      return [
        `### \`${item.externalId}\` → case ${item.caseId} (${formatLocation(item.location)})`,
        "",
        item.reason,
        "",
        ...(item.conflicts.length === 0 ? [] : [
          "| field | last synced | target now | source wants |",
          "|---|---|---|---|",
          ...item.conflicts.map((c) => `| ${cell(c.field)} | ${cell(c.base)} | ${cell(c.target)} | ${cell(c.source)} |`),
          ""
        ])
      ].join("\n")
    case "reject":
      return `| ${cell(formatLocation(item.location))} | ${cell(item.sourceKey)} | ${cell(item.field)} | ${cell(item.reason)} |`
    case "unchanged":
      return `- \`${item.externalId}\` case ${item.caseId}`
  }
}

const titles: Record<PlanAction, string> = {
  update: "Updates",
  create: "Creates",
  conflict: "Conflicts (nothing will be written)",
  reject: "Rejects",
  unchanged: "Unchanged"
}

/** A section file being filled, and what is not written to it yet. */
interface Section {
  readonly file: string
  readonly fd: number
  pending: string
}

/** The report as it is written while planning: items go in as they are decided, the file is put together at the end. */
export interface PlanReportWriter {
  /** Takes a chunk of decided items (plain code, no I/O but appends to the section files). */
  readonly add: (items: Iterable<PlanItem>) => void
  /** Writes the report file from the summary and the sections. */
  readonly finish: (counts: PlanCounts) => Effect.Effect<void, PlanFileError>
}

/**
 * Opens the plan's human report, written in one pass while the plan is made: the counts
 * first, then every update with its before → after, the creates counted per borrower and
 * case type with the first `createsShown` in full, then conflicts and rejects. Updates,
 * conflicts and rejects go to section files beside the report as they come (so nothing
 * grows with the plan in memory), joined into the report by `finish`.
 */
export const openPlanReport = (
  reportFile: string,
  header: PlanHeader,
  options: { readonly listUnchanged?: boolean } = {}
): Effect.Effect<PlanReportWriter, PlanFileError, Scope.Scope> =>
  Effect.gen(function*() {
    const fail = (error: unknown) => new PlanFileError({ file: reportFile, reason: String(error) })
    const listed: Array<PlanAction> = ["update", "conflict", "reject", ...(options.listUnchanged ? ["unchanged" as const] : [])]
    const sections = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true })
          return new Map(listed.map((action): [PlanAction, Section] => {
            const file = `${reportFile}.${process.pid}.${action}.tmp`
            return [action, { file, fd: fs.openSync(file, "w"), pending: "" }]
          }))
        },
        catch: fail
      }),
      (open) =>
        Effect.sync(() => {
          for (const { fd, file } of open.values()) {
            fs.closeSync(fd)
            fs.rmSync(file, { force: true })
          }
        })
    )
    const firstCreates: Array<string> = []
    const createsBy = new Map<string, number>()
    const flush = (action: PlanAction, force: boolean) => {
      const open = sections.get(action)
      if (open === undefined || open.pending === "" || (!force && open.pending.length < 1 << 16)) return
      fs.writeSync(open.fd, open.pending)
      open.pending = ""
    }
    const add = (items: Iterable<PlanItem>) => {
      for (const item of items) {
        if (item._tag === "create") {
          if (firstCreates.length < createsShown) firstCreates.push(section(item))
          const typeId = typeof item.body.typeId === "string" ? item.body.typeId : "?"
          const key = `${item.personId}\u0000${typeId}`
          createsBy.set(key, (createsBy.get(key) ?? 0) + 1)
          continue
        }
        const open = sections.get(item._tag)
        if (open === undefined) continue
        open.pending += section(item) + "\n"
        flush(item._tag, false)
      }
    }
    const finish = (counts: PlanCounts) =>
      Effect.try({
        try: () => {
          for (const action of listed) flush(action, true)
          const temporary = `${reportFile}.${process.pid}.tmp`
          const out = fs.openSync(temporary, "w")
          try {
            fs.writeSync(out, summary(header, counts))
            for (const action of ["update", "create", "conflict", "reject", "unchanged"] as const) {
              const total = counts[action]
              if (total === 0) continue
              if (action === "create") {
                fs.writeSync(out, createsSection(total, createsBy, firstCreates))
                continue
              }
              const open = sections.get(action)
              if (open === undefined) continue
              fs.writeSync(out, `\n## ${titles[action]} (${total})\n\n${action === "reject" ? "| source | key | field | reason |\n|---|---|---|---|\n" : ""}`)
              copyInto(open.file, out)
            }
          } finally {
            fs.closeSync(out)
          }
          fs.renameSync(temporary, reportFile)
        },
        catch: fail
      })
    return { add, finish }
  })

const summary = (header: PlanHeader, counts: PlanCounts) =>
  [
    `# casesync plan for job \`${header.job}\``,
    "",
    `Plan \`${header.planId}\`, made ${header.createdAt}: source ${header.source}, mapping \`${header.mappingFile}\`, target ${header.targetBaseUrl}.`,
    "Nothing has been written to the target. Review, then `casesync apply --plan <this plan file>`.",
    "",
    "## Summary",
    "",
    "| read | create | update | unchanged | reject | conflict | skipped |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    `| ${counts.read} | ${counts.create} | ${counts.update} | ${counts.unchanged} | ${counts.reject} | ${counts.conflict} | ${counts.skipped} |`,
    "",
    accountingLine(counts, "plan"),
    ""
  ].join("\n")

const createsSection = (total: number, createsBy: ReadonlyMap<string, number>, first: ReadonlyArray<string>) => {
  const rows = [...createsBy].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, count]) => {
    const [personId, typeId] = key.split("\u0000")
    return `| ${cell(personId)} | ${cell(typeId)} | ${count} |`
  })
  return [
    "",
    `## ${titles.create} (${total})`,
    "",
    "| borrower | case type | creates |",
    "|---|---|---:|",
    ...rows,
    "",
    first.length === total ? "Every create in full:" : `The first ${first.length} in full (the plan file holds all ${total}):`,
    "",
    ...first.map((text) => text + "\n"),
    ""
  ].join("\n")
}

const copyInto = (file: string, out: number) => {
  const input = fs.openSync(file, "r")
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    let read = 0
    while ((read = fs.readSync(input, buffer, 0, buffer.length, null)) > 0) fs.writeSync(out, buffer, 0, read)
  } finally {
    fs.closeSync(input)
  }
}

/**
 * Writes the report of an existing plan file, reading it once (`openPlanReport` over its
 * items); planning itself writes the report while it plans, without reading the plan back.
 */
export const writePlanReport = (
  planFile: string,
  reportFile: string,
  header: PlanHeader,
  counts: PlanCounts,
  options: { readonly listUnchanged?: boolean } = {}
): Effect.Effect<void, PlanFileError> =>
  Effect.scoped(Effect.gen(function*() {
    const report = yield* openPlanReport(reportFile, header, options)
    yield* Stream.runForEachChunk(streamPlanItems(planFile), (chunk) => Effect.sync(() => report.add(chunk)))
    yield* report.finish(counts)
  }))
