import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { chooseRoute, type WrittenCases } from "../../src/apply/TargetRead.js"

const written = (cases: number, borrowers: number): WrittenCases => ({
  externalIds: new Set(Array.from({ length: cases }, (_, i) => `legacy-${i}`)),
  borrowers: new Set(Array.from({ length: borrowers }, (_, i) => `BO-${i}`))
})

describe("chooseRoute: how apply --plan re-reads the cases a plan writes", () => {
  it("reads nothing for a plan that writes nothing", () => {
    expect(chooseRoute(written(0, 0), { cases: 100, total: Option.some(5_000) }, 100)).toEqual({ _tag: "Nothing", requests: 0 })
  })

  it("keeps the first page when it holds the whole company list", () => {
    expect(chooseRoute(written(10, 5), { cases: 40, total: Option.some(40) }, 100)).toEqual({ _tag: "FirstPage", requests: 1 })
    expect(chooseRoute(written(10, 5), { cases: 0, total: Option.some(0) }, 100)).toEqual({ _tag: "FirstPage", requests: 1 })
  })

  it("lists per borrower when there are fewer borrowers than company pages", () => {
    expect(chooseRoute(written(30, 3), { cases: 100, total: Option.some(1_000) }, 100)).toEqual({ _tag: "PerBorrower", requests: 4 })
  })

  it("lists the company when its pages are no more than the borrowers", () => {
    expect(chooseRoute(written(300, 60), { cases: 100, total: Option.some(250) }, 100)).toEqual({ _tag: "CompanyList", requests: 4 })
    expect(chooseRoute(written(30, 10), { cases: 100, total: Option.some(1_000) }, 100)).toEqual({ _tag: "CompanyList", requests: 11 })
  })

  it("lists the company when the server does not say how many cases it holds", () => {
    expect(chooseRoute(written(30, 3), { cases: 100, total: Option.none() }, 100)).toMatchObject({ _tag: "CompanyList" })
  })
})
