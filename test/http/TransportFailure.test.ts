import { describe, expect, it } from "@effect/vitest"
import { classifyTransportFailure } from "../../src/http/index.js"

/** The shape undici's fetch rejects with: `TypeError: fetch failed` wrapping the socket error. */
const fetchFailed = (cause: unknown) => Object.assign(new TypeError("fetch failed"), { cause })

describe("classifyTransportFailure", () => {
  it("a refused or unresolvable connection is NotConnected (nothing sent)", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT"]) {
      const error = Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code })
      expect(classifyTransportFailure(fetchFailed(error)).reason).toBe("NotConnected")
    }
  })

  it("finds the code inside an AggregateError (several addresses tried)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:443"), { code: "ECONNREFUSED" })
    const aggregate = new AggregateError([refused], "all addresses failed")
    expect(classifyTransportFailure(fetchFailed(aggregate)).reason).toBe("NotConnected")
  })

  it("a reset or closed socket, or an unknown failure, is ConnectionLost (may have been sent)", () => {
    const reset = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
    expect(classifyTransportFailure(fetchFailed(reset))).toEqual({
      reason: "ConnectionLost",
      detail: "UND_ERR_SOCKET: fetch failed: other side closed"
    })
    expect(classifyTransportFailure({ code: "ECONNRESET", message: "socket hang up" }).reason).toBe("ConnectionLost")
    expect(classifyTransportFailure("weird").reason).toBe("ConnectionLost")
  })
})
