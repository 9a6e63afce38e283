import { Effect, Stream } from "effect"
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

/**
 * Writes the plan's human report: the counts first, then every change with its
 * before → after, then conflicts and rejects. Read from the plan file section by
 * section, so a large plan never sits in memory.
 */
export const writePlanReport = (
  planFile: string,
  reportFile: string,
  header: PlanHeader,
  counts: PlanCounts,
  options: { readonly listUnchanged?: boolean } = {}
): Effect.Effect<void, PlanFileError> =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true })
        return fs.openSync(reportFile, "w")
      },
      catch: (error) => new PlanFileError({ file: reportFile, reason: String(error) })
    }),
    (fd) => {
      const write = (text: string) => Effect.sync(() => void fs.writeSync(fd, text))
      const order: Array<PlanAction> = ["update", "create", "conflict", "reject", ...(options.listUnchanged ? ["unchanged" as const] : [])]
      return write([
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
      ].join("\n")).pipe(
        Effect.zipRight(Effect.forEach(order, (action) => {
          const total = action === "reject" ? counts.reject : counts[action]
          if (total === 0) return Effect.void
          return write(
            `\n## ${titles[action]} (${total})\n\n${
              action === "reject" ? "| source | key | field | reason |\n|---|---|---|---|\n" : ""
            }`
          ).pipe(
            Effect.zipRight(
              streamPlanItems(planFile).pipe(
                Stream.filter((item) => item._tag === action),
                Stream.map((item) => section(item) + "\n"),
                Stream.grouped(256),
                Stream.runForEach((chunk) => write(Array.from(chunk).join("")))
              )
            )
          )
        }, { discard: true }))
      )
    },
    (fd) => Effect.sync(() => fs.closeSync(fd))
  )
