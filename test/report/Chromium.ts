/**
 * Headless Chromium for the report's browser tests: Debian's `chromium` driven by
 * playwright-core, with a fresh profile and nothing that reaches the network.
 * Where no Chromium exists the tests skip with a message, except under CI, where
 * they must run (and so fail).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"

export const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

/** Whether the browser tests run here: Chromium is installed, or CI insists. */
export const browserTestsRun = (): boolean => {
  if (fs.existsSync(chromiumPath) || process.env["CI"]) return true
  console.warn(`SKIPPED: the HTML report's browser tests need Chromium at ${chromiumPath} (apt-get install -y chromium); under CI they fail instead`)
  return false
}

const args = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
  "--no-first-run", "--disable-component-update", "--disable-sync"
]

/** Launches Chromium with a fresh user-data dir; `close` removes it. */
export const launchChromium = async (): Promise<{ context: BrowserContext; close: () => Promise<void> }> => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`)
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 }
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(profile, { recursive: true, force: true })
    }
  }
}

/** Where tests put what a person may want to look at (screenshots): gitignored. */
export const testOutputDir = (): string => {
  const dir = path.resolve("test-output")
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

// == reading the page (the callbacks run in the browser; tsc here has no DOM types)

interface PageNode {
  readonly textContent: string | null
  readonly children: ArrayLike<PageNode>
  getAttribute(name: string): string | null
}

/** The cells' text of each table row the selector finds. */
export const cellsOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((rows) => (rows as unknown as Array<PageNode>).map((row) => Array.from(row.children, (cell) => cell.textContent)))

/** The `data-key` (source key) of each element the selector finds. */
export const keysOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((nodes) => (nodes as unknown as Array<PageNode>).map((node) => node.getAttribute("data-key")))

/** How many elements the selector finds. */
export const count = (page: Page, selector: string) => page.locator(selector).count()
