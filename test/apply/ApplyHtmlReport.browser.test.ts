import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { browserTestsRun, cellsOf, launchChromium, testOutputDir } from "../report/Chromium.js"
import { runCli } from "./e2e/CliInProcess.js"
import { expectedCsv } from "./e2e/Expected.js"
import { samples, writeCsvConfig } from "./e2e/Workspace.js"

// The reports a real `casesync migrate` of the CSV sample leaves, opened in headless Chromium.
describe.runIf(browserTestsRun())("migrate's HTML reports in headless Chromium", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-html-"))
  const out = path.join(dir, "out")
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let stdout = ""

  beforeAll(async () => {
    const result = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      return yield* runCli(["migrate", "--config", writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url, output: out })])
    })))
    expect(result.exitCode, result.stderr).toBe(3)
    stdout = result.stdout
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const open = async (file: string) => {
    const page = await browser.context.newPage()
    await page.goto(pathToFileURL(path.join(out, file)).href)
    await page.waitForSelector("body[data-rendered=yes]")
    return page
  }
  const countsOf = (page: Awaited<ReturnType<typeof open>>) =>
    page.locator("#summary .count").evaluateAll((nodes) =>
      (nodes as unknown as Array<{ getAttribute(n: string): string | null; textContent: string | null }>).map((n) => [n.getAttribute("data-count"), n.textContent])
    )

  it("prints where both reports are", () => {
    expect(stdout).toContain(path.join(out, "report.html"))
    expect(stdout).toContain(path.join(out, "apply-report.html"))
  })

  it("the apply report counts what was written and lists every reject with its raw record", async () => {
    const expected = expectedCsv()
    const page = await open("apply-report.html")
    expect(await countsOf(page)).toEqual([
      ["read", "230read"], ["created", "217created"], ["updated", "0updated"], ["unchanged", "0unchanged"],
      ["rejected", "13rejected"], ["conflicts", "0conflicts"], ["skipped", "0skipped"]
    ])
    // Each expected reject by its source location (one has no key: the row could not be read).
    const rejects = await cellsOf(page, "#section-rejected tbody tr")
    expect(rejects.map((cells) => cells[0]).sort()).toEqual(expected.rejected.map((r) => `${samples.csv}:${r.line}`).sort())
    const row = rejects.find((cells) => cells[1] === expected.rejected[0]!.sourceKey)!
    expect(row[4]).not.toBe("∅")
    expect(row[5]).toContain(expected.rejected[0]!.sourceKey)
    await page.screenshot({ path: path.join(testOutputDir(), "apply-report.png") })
  })

  it("the plan report beside report.md counts the same plan", async () => {
    const page = await open("report.html")
    expect((await countsOf(page)).slice(0, 2)).toEqual([["read", "230read"], ["create", "217create"]])
  })
})
