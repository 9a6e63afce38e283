import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { CaseType } from "../../src/domain/peach/index.js"
import { ActiveCaseTypes } from "../../src/mapping/ActiveCaseTypes.js"

const decode = Schema.decodeUnknownSync(CaseType)

describe("ActiveCaseTypes", () => {
  it("names a type's versions in its messages, and says nothing of a version the server does not give", () => {
    const types = ActiveCaseTypes.make([
      decode({ id: "107", name: "Draft type", status: "draft", version: 2 }),
      decode({ id: "108", name: "Unversioned", status: "deprecated" })
    ])
    expect(Either.flip(types.byNameOrId("Draft type"))).toEqual(Either.right(
      "case type 'Draft type' has no active version (107 v2 draft); activate it in the target first"
    ))
    expect(Either.flip(types.byNameOrId("Unversioned"))).toEqual(Either.right(
      "case type 'Unversioned' has no active version (108 deprecated); activate it in the target first"
    ))
  })
})
