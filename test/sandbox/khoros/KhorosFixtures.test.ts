import { describe, expect, it } from "vitest"
import { crmFetch, useSandbox } from "./KhorosSandbox.js"

const sandbox = useSandbox({
  fixtures: {
    khoros: {
      customers: [{ id: "C-1", firstName: "Only" }],
      cases: [
        {
          id: "X-1",
          number: "7",
          customerId: "C-1",
          title: "Seeded by a test",
          description: "",
          url: "https://crm.example.test/cases/X-1",
          lastUpdated: "2024-01-01T00:00:00Z",
          created: "2024-01-01T00:00:00Z",
          status: "closed"
        }
      ]
    }
  }
})

describe("sandbox CRM fixtures", () => {
  it("replaces the sample customers and cases, keeps the sample meta, numbers new cases after the seed's", async () => {
    expect((await crmFetch(sandbox.crmUrl, "/customer/C-1/cases")).json.map((c: { id: string }) => c.id)).toEqual([
      "X-1"
    ])
    expect((await crmFetch(sandbox.crmUrl, "/customer/BRW-1001/cases")).status).toBe(404)
    expect((await crmFetch(sandbox.crmUrl, "/meta/object/case")).json.fields).toHaveLength(4)
    const created = await crmFetch(sandbox.crmUrl, "/case", { method: "POST", body: { customerId: "C-1", title: "t" } })
    expect(created.json.id).toBe("KC-10001")
  })
})
