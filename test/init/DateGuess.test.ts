import { describe, expect, it } from "vitest"
import { dateTimeGuess } from "../../src/init/DateGuess.js"

describe("dateTimeGuess", () => {
  it("reads ISO date-times with or without an offset, and counts those with one", () => {
    expect(dateTimeGuess(["2022-02-03 04:32:18.500", "2022-02-03T04:32:18+02:00", "2022-02-03T04:32Z", " "], false)).toEqual({
      looksLikeDateTime: true,
      seen: 3,
      withOffset: 2,
      format: undefined,
      needsZone: true
    })
    expect(dateTimeGuess(["2022-02-03T04:32:18Z"], false).needsZone).toBe(false)
  })

  it("proposes a format for US-style values of one shape", () => {
    expect(dateTimeGuess(["03/15/2022 4:32 PM", "12/01/2021 11:05 AM"], false)).toMatchObject({ looksLikeDateTime: true, format: "MM/DD/YYYY hh:mm A", needsZone: true })
    expect(dateTimeGuess(["03/15/2022 16:32:05"], false).format).toBe("MM/DD/YYYY HH:mm:ss")
    expect(dateTimeGuess(["03/15/2022"], false).format).toBe("MM/DD/YYYY")
  })

  it("is not a date-time when a value is something else", () => {
    expect(dateTimeGuess(["2022-02-03", "soon"], false).looksLikeDateTime).toBe(false)
    expect(dateTimeGuess(["LC-100001"], false).looksLikeDateTime).toBe(false)
    expect(dateTimeGuess([], false).looksLikeDateTime).toBe(false)
  })

  it("asks for a zone for no value seen, unless the source documents an offset", () => {
    expect(dateTimeGuess([], false).needsZone).toBe(true)
    expect(dateTimeGuess([], true).needsZone).toBe(false)
    // A value seen without an offset wins over what is documented.
    expect(dateTimeGuess(["2022-02-03T04:32:18"], true).needsZone).toBe(true)
  })
})
