import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as fc from "fast-check"
import { CaseCreate, isCalendarDate, IsoDate } from "../../src/domain/peach/index.js"
import { checkValue, createFieldOrder, isWhollyChecked, resolveTarget } from "../../src/mapping/TargetFields.js"
import { caseTypes } from "./MappingFixtures.js"

const caseType = caseTypes[0]!
const isCreate = Schema.is(CaseCreate)

// Plain mapping skips the create body's schema check when every field is wholly checked: these
// say when that is sound (a value `checkValue` lets through is one `CaseCreate` accepts).
describe("which target fields checkValue checks wholly", () => {
  it("custom fields, metaData keys and plain top-level fields are; nested structs, whole objects and refined texts are not", () => {
    for (const path of ["name", "status", "outcome", "openedAt", "courtCaseFiledDate", "customFields.legacyNotes", "metaData.legacyBranch"]) {
      expect(isWhollyChecked(path), path).toBe(true)
    }
    for (const path of ["matchDetails.nameMatch", "customFields", "metaData", "externalId", "associations", "nonsense"]) {
      expect(isWhollyChecked(path), path).toBe(false)
    }
  })

  it("for every wholly checked top-level field, any value checkValue accepts is accepted by CaseCreate", () => {
    const paths = createFieldOrder.filter(isWhollyChecked)
    expect(paths.length).toBeGreaterThan(10)
    const candidates = fc.oneof(
      fc.anything(),
      fc.constantFrom("initiated", "completed", "approved", "2024-02-29", "2023-02-29", "2024-03-10T08:15:00-05:00", "2024-03-10T24:00:00Z", "filed", "chapter7"),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
    )
    for (const path of paths) {
      const field = resolveTarget(path, caseType)
      expect(Either.isRight(field), path).toBe(true)
      if (Either.isLeft(field)) continue
      fc.assert(fc.property(candidates, (value) => {
        if (value === undefined || value === null || checkValue(field.right, value) !== undefined) return true
        return isCreate({ typeId: "1", [path]: value })
      }), { numRuns: 300 })
    }
  })
})

describe("calendar dates", () => {
  const isIsoDate = Schema.is(IsoDate)
  const pad = (n: number, width: number) => String(n).padStart(width, "0")

  it("the mapping's date check and the target's IsoDate agree on every day of every month, years 0 to 9999 included", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (year, month, day) => {
      const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
      expect(isCalendarDate(text), text).toBe(isIsoDate(text))
    }), { numRuns: 2000 })
    expect(["2024-02-29", "2023-02-29", "2023-04-31", "0050-01-01"].map(isCalendarDate)).toEqual([true, false, false, true])
  })
})
