import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import cases from "../../../samples/khoros/cases.json" with { type: "json" }
import metaCase from "../../../samples/khoros/meta-case.json" with { type: "json" }
import metaCustomer from "../../../samples/khoros/meta-customer.json" with { type: "json" }
import { crmFetch, useSandbox } from "./KhorosSandbox.js"

const sandbox = useSandbox()
const crm = (path: string, init?: Parameters<typeof crmFetch>[2]) => crmFetch(sandbox.crmUrl, path, init)

const interaction = {
  created: "2024-03-01T10:00:00.25+01:00",
  body: "Following up by email",
  linkUrl: "https://mail.example.test/1",
  serviceId: "em-1",
  service: "email",
  contentType: "email",
  author: { service: "email", serviceId: "a@b.test", handle: "a@b.test", name: "A B", brandOwned: false }
}

describe("GET /crm/customer/:id/cases (findCases)", () => {
  it("answers every case of the customer exactly as seeded, custom properties and timestamps included", async () => {
    const { json, status } = await crm("/customer/BRW-1001/cases")
    expect(status).toBe(200)
    expect(json).toEqual(cases.filter((c) => c.customerId === "BRW-1001"))
    expect(json).toHaveLength(5)
  })

  it("answers [] for a known customer with no cases", async () => {
    expect(await crm("/customer/BRW-1012/cases")).toMatchObject({ status: 200, json: [] })
  })

  it("answers 404 CUSTOMER_NOT_FOUND for a customer the CRM does not know", async () => {
    const { json, status } = await crm("/customer/BRW-1059/cases")
    expect(status).toBe(404)
    expect(json.error).toBe("CUSTOMER_NOT_FOUND")
    expect(json.message).toContain("BRW-1059")
  })
})

describe("API key", () => {
  it("answers 401 {error, message} without a key or with a wrong one", async () => {
    const attempts: Array<Record<string, string>> = [
      { "x-api-key": "" },
      { "x-api-key": "wrong" },
      { authorization: "Bearer sandbox-token", "x-api-key": "" }
    ]
    for (const headers of attempts) {
      const { json, status } = await crm("/customer/BRW-1001/cases", { headers })
      expect(status).toBe(401)
      expect(json).toEqual({ error: "INVALID_API_KEY", message: "API key is invalid or has become de-authenticated" })
    }
  })
})

describe("GET /crm/case/:id (lookupCase)", () => {
  it("answers one case, and 404 CASE_NOT_FOUND for an unknown id", async () => {
    expect(await crm("/case/KC-10030")).toMatchObject({ status: 200, json: cases.find((c) => c.id === "KC-10030") })
    const missing = await crm("/case/KC-99999")
    expect(missing.status).toBe(404)
    expect(missing.json.error).toBe("CASE_NOT_FOUND")
  })
})

describe("POST /crm/case (createCase)", () => {
  it("answers 201 with the created case, which the customer's cases then include", async () => {
    const body = {
      customerId: "BRW-1012",
      title: "First contact",
      description: "Asked about a payoff quote",
      created: "2024-02-29T23:59:59.999-07:00",
      interactions: [interaction],
      priority: "high",
      product: "auto_loan",
      escalated: true
    }
    const { json, status } = await crm("/case", { method: "POST", body })
    expect(status).toBe(201)
    expect(json).toMatchObject({ ...body, id: "KC-10041", number: "10041", status: "open" })
    expect(json.url).toBe("https://crm.example.test/cases/KC-10041")
    expect(Date.parse(json.lastUpdated)).not.toBeNaN()
    expect((await crm("/customer/BRW-1012/cases")).json).toEqual([json])
    expect((await crm("/case/KC-10041")).json).toEqual(json)
  })

  it("answers 400 with one {name, errorMessage} per refused field", async () => {
    const { json, status } = await crm("/case", {
      method: "POST",
      body: {
        customerId: "BRW-9999",
        title: " ",
        status: "pending",
        priority: "urgent",
        escalated: "yes",
        product: 7,
        colour: "red",
        interactions: [{ ...interaction, created: "yesterday" }]
      }
    })
    expect(status).toBe(400)
    expect(json.error).toBe("INVALID_REQUEST")
    const names = json.fields.map((f: { name: string }) => f.name).sort()
    expect(names).toEqual(
      ["colour", "customerId", "escalated", "interactions[0].created", "priority", "product", "status", "title"].sort()
    )
    for (const field of json.fields) expect(field.errorMessage).toEqual(expect.any(String))
    expect(json.fields.find((f: { name: string }) => f.name === "status").errorMessage).toBe(
      "Expected \"open\" or \"closed\", actual \"pending\""
    )
    expect(json.fields.find((f: { name: string }) => f.name === "priority").errorMessage).toContain("low, medium, high")
    expect((await crm("/customer/BRW-9999/cases")).status).toBe(404)
  })

  it("answers 400 when customerId or title is missing, and when the body is not JSON", async () => {
    const missing = await crm("/case", { method: "POST", body: { description: "no title" } })
    expect(missing.status).toBe(400)
    expect(missing.json.fields.map((f: { name: string }) => f.name).sort()).toEqual(["customerId", "title"])
    const notJson = await crm("/case", { method: "POST", body: "{oops" })
    expect(notJson.status).toBe(400)
    expect(notJson.json.fields).toEqual([{ name: "body", errorMessage: "not valid JSON" }])
  })
})

describe("PUT /crm/case/:id (updateCase)", () => {
  it("answers 201 with the updated case: fields changed, interactions attached, lastUpdated moved", async () => {
    const before = cases.find((c) => c.id === "KC-10001")!
    const { json, status } = await crm("/case/KC-10001", {
      method: "PUT",
      body: { status: "closed", priority: "high", interactions: [interaction] }
    })
    expect(status).toBe(201)
    const { interactions: _, ...unchanged } = before
    expect(json).toMatchObject({ ...unchanged, status: "closed", priority: "high", lastUpdated: json.lastUpdated })
    expect(json.interactions).toEqual([...before.interactions!, interaction])
    expect(json.lastUpdated).not.toBe(before.lastUpdated)
    expect((await crm("/case/KC-10001")).json).toEqual(json)
  })

  it("accepts the assigned fields sent back unchanged, refuses a changed one", async () => {
    const current = (await crm("/case/KC-10002")).json
    expect((await crm("/case/KC-10002", { method: "PUT", body: { ...current, title: "Renamed" } })).json.title)
      .toBe("Renamed")
    const refused = await crm("/case/KC-10002", { method: "PUT", body: { id: "KC-1", created: "2020-01-01T00:00:00Z" } })
    expect(refused.status).toBe(400)
    expect(refused.json.fields.map((f: { name: string }) => f.name)).toEqual(["id", "created"])
  })

  it("answers 404 for an unknown case and 400 for an invalid change", async () => {
    expect((await crm("/case/KC-99999", { method: "PUT", body: { status: "closed" } })).json.error).toBe(
      "CASE_NOT_FOUND"
    )
    const invalid = await crm("/case/KC-10001", { method: "PUT", body: { status: "done", customerId: "BRW-1059" } })
    expect(invalid.status).toBe(400)
    expect(invalid.json.fields.map((f: { name: string }) => f.name).sort()).toEqual(["customerId", "status"])
  })
})

describe("GET /crm/meta/object/:type", () => {
  it("describes the custom fields of cases and customers, and answers 404 for another type", async () => {
    expect(await crm("/meta/object/case")).toMatchObject({ status: 200, json: metaCase })
    expect(await crm("/meta/object/customer")).toMatchObject({ status: 200, json: metaCustomer })
    const other = await crm("/meta/object/loan")
    expect(other.status).toBe(404)
    expect(other.json.error).toBe("OBJECT_TYPE_NOT_FOUND")
  })
})

describe("shared sandbox plumbing", () => {
  it("counts CRM requests by route template and status", async () => {
    await crm("/customer/BRW-1001/cases")
    await crm("/customer/BRW-1059/cases")
    await crm("/case/KC-10001", { headers: { "x-api-key": "wrong" } })
    const stats = await Effect.runPromise(sandbox.current.stats.snapshot)
    expect(stats.byEndpoint["GET /crm/customer/:id/cases"]).toEqual({ total: 2, byStatus: { "200": 1, "404": 1 } })
    expect(stats.byEndpoint["GET /crm/case/:id"]).toEqual({ total: 1, byStatus: { "401": 1 } })
  })

  it("answers 429 in the CRM's shape with Retry-After when the rate limit knob is exceeded", async () => {
    await Effect.runPromise(sandbox.current.knobs.set({ rateLimit: 1 }))
    try {
      expect((await crm("/case/KC-10001")).status).toBe(200)
      const limited = await crm("/case/KC-10001")
      expect(limited.status).toBe(429)
      expect(limited.json.error).toBe("RATE_LIMITED")
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    } finally {
      await Effect.runPromise(sandbox.current.knobs.set({ rateLimit: null }))
    }
  })

  it("answers injected faults in the CRM's shape", async () => {
    await Effect.runPromise(sandbox.current.knobs.set({ faultRate: 1 }))
    try {
      const { json, status } = await crm("/customer/BRW-1001/cases")
      expect([500, 503]).toContain(status)
      expect(json.error).toBe(status === 500 ? "UNEXPECTED_ERROR" : "SERVICE_UNAVAILABLE")
    } finally {
      await Effect.runPromise(sandbox.current.knobs.set({ faultRate: 0 }))
    }
  })

  it("reset forgets created cases and updates", async () => {
    await crm("/case", { method: "POST", body: { customerId: "BRW-1012", title: "Temporary" } })
    await crm("/case/KC-10001", { method: "PUT", body: { status: "closed" } })
    await Effect.runPromise(sandbox.current.reset)
    expect((await crm("/customer/BRW-1012/cases")).json).toEqual([])
    expect((await crm("/case/KC-10001")).json.status).toBe("open")
  })
})
