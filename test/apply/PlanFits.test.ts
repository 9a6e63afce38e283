import { it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { describe, expect } from "vitest"
import { checkPlanFits } from "../../src/apply/ApplyMigration.js"
import type { RunConfig } from "../../src/config/RunConfig.js"
import type { PlanHeader } from "../../src/plan/Plan.js"
import type { LoadedMapper } from "../../src/plan/PlanMigration.js"
import { CsvSourceOptions } from "../../src/sources/csv/CsvSourceOptions.js"

// A plan whose creates are made again from its source needs that source and the same case types.

const csv = { kind: "csv" as const, ...CsvSourceOptions.make({ path: "cases.csv" }) }
const config = (source: RunConfig["source"] = csv) => ({ job: "j", target: { baseUrl: "http://t/api" }, source }) as unknown as RunConfig
const mapper = (caseTypeNames: Record<string, string>) => ({ digest: "m", caseTypeNames }) as unknown as LoadedMapper
const header: PlanHeader = {
  format: "casesync-plan/1", planId: "p", job: "j", createdAt: "", configDigest: "", mappingDigest: "m", mappingFile: "m.yaml",
  targetBaseUrl: "http://t/api", source: "csv cases.csv",
  sourceFile: { options: CsvSourceOptions.make({ path: "cases.csv" }), sha256: "0".repeat(64), size: 1 },
  caseTypes: { "101": "Legacy servicing case", "102": "Bankruptcy" }
}
const problems = (h: PlanHeader, c: RunConfig, m: LoadedMapper) =>
  Effect.runSync(Effect.either(checkPlanFits(h, c, m))).pipe(Either.match({ onLeft: (error) => error.problems, onRight: () => [] }))

describe("checkPlanFits, for a plan whose bodies are made from its source", () => {
  it("fits the same source kind and the same case types", () => {
    expect(problems(header, config(), mapper({ "102": "Bankruptcy", "101": "Legacy servicing case" }))).toEqual([])
  })

  it("refuses case types that resolve otherwise now, naming both", () => {
    const [problem] = problems(header, config(), mapper({ "101": "Legacy servicing case", "107": "Bankruptcy" }))
    expect(problem).toContain("case types resolve otherwise")
    expect(problem).toContain("'Bankruptcy' (107)")
    expect(problem).toContain("'Bankruptcy' (102)")
  })

  it("refuses a config that reads no CSV file", () => {
    const khoros = { kind: "khoros", baseUrl: "http://crm" } as unknown as RunConfig["source"]
    expect(problems(header, config(khoros), mapper(header.caseTypes!))).toEqual([
      "its creates are made from the CSV file cases.csv, and this config reads a khoros source"
    ])
  })

  it("asks nothing of a plan whose bodies are written out", () => {
    const { sourceFile: _, caseTypes: __, ...inline } = header
    const khoros = { kind: "khoros", baseUrl: "http://crm" } as unknown as RunConfig["source"]
    expect(problems(inline, config(khoros), mapper({ "9": "Other" }))).toEqual([])
  })
})
