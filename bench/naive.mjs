// The naive migration the bench compares casesync with: for each CSV row, one at a time, look the
// case up as ext-<externalId>, and create it when the lookup says 404. Plain fetch, no pacing; a 429
// waits its Retry-After. `node bench/naive.mjs <apiUrl> <csv> <token>`; prints JSON counts.
import * as fs from "node:fs"

const [baseUrl, csvFile, token] = process.argv.slice(2)
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
let requests = 0
const call = async (method, path, body) => {
  for (;;) {
    requests++
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    if (response.status !== 429) return { status: response.status, body: await response.json().catch(() => null) }
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get("retry-after") ?? 1)))
  }
}

// The bench's rows: case_id,borrower_ref,case_type,status,outcome,priority,channel,agent_code,subject,"notes",created_at,…
const rows = fs.readFileSync(csvFile, "utf8").split("\r\n").slice(1).filter((line) => line !== "")
const types = (await call("GET", "/case-types")).body.data
const typeId = types.find((t) => t.name === "Legacy servicing case").id
let created = 0
for (const line of rows) {
  const [caseId, borrower, , , , , , , subject] = line.split(",")
  const openedAt = `${line.match(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/).slice(1).join("T")}-05:00`
  const externalId = `legacy-${caseId}`
  const found = await call("GET", `/people/ext-${borrower}/cases/ext-${externalId}`)
  if (found.status !== 404) continue
  const made = await call("POST", `/people/ext-${borrower}/cases`, {
    typeId, externalId, name: subject, status: "initiated", openedAt, customFields: { legacyPriority: "normal" }
  })
  if (made.status === 200) created++
}
console.log(JSON.stringify({ rows: rows.length, created, requests }))
