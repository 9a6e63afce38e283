import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

// `casesync sandbox` in a child process, as a person (or the demo) runs it.

const bin = fileURLToPath(new URL("../../bin/casesync.js", import.meta.url))
const children: Array<ChildProcess> = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
})

/** Starts the CLI and resolves with its URL once the banner is printed. */
const startCli = (args: ReadonlyArray<string>) =>
  new Promise<{ child: ChildProcess; url: string; origin: string; output: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "sandbox", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] })
    children.push(child)
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const found = /listening on ((http:\/\/127\.0\.0\.1:\d+)\S*)/.exec(output)
      if (found !== null) resolve({ child, url: found[1]!, origin: found[2]!, output: () => output })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => reject(new Error(`casesync sandbox exited (${code}) before listening:\n${output}`)))
  })

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.exitCode !== null ? resolve(child.exitCode) : child.on("exit", resolve))

describe("casesync sandbox (CLI)", () => {
  it("prints the URL, the credentials and a hint, serves the API, and stops cleanly on SIGINT", async () => {
    const { child, output, url } = await startCli([])
    expect(output()).toContain("Authorization: Bearer sandbox-token")
    expect(output()).toContain("X-API-KEY: sandbox-key")
    expect(output()).toContain("curl ")
    const reply = await fetch(`${url}/people/ext-BRW-1001/cases`, { headers: { "x-api-key": "sandbox-key" } })
    expect(reply.status).toBe(200)
    expect(((await reply.json()) as { total: number }).total).toBe(2)
    child.kill("SIGINT")
    expect(await exited(child)).toBe(0)
    expect(output()).toContain("casesync sandbox stopped")
    await expect(fetch(`${url}/cases`)).rejects.toThrow()
  })

  it("applies knobs and credentials from flags, and knob changes over HTTP", async () => {
    const { child, origin, url } = await startCli(["--rate-limit", "1", "--token", "cli-token", "--seed", "5"])
    const headers = { authorization: "Bearer cli-token" }
    expect((await fetch(`${url}/cases`, { headers })).status).toBe(200)
    const limited = await fetch(`${url}/cases`, { headers })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
    const knobs = await fetch(`${origin}/_sandbox/knobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rateLimit: null, faultRate: 1 })
    })
    expect(((await knobs.json()) as { data: unknown }).data).toMatchObject({ rateLimit: null, faultRate: 1, seed: 5 })
    expect([500, 503]).toContain((await fetch(`${url}/cases`, { headers })).status)
    child.kill("SIGINT")
    expect(await exited(child)).toBe(0)
  })

  it("serves the Peach API under /api by default and under --base-path otherwise; the CRM stays at /crm", async () => {
    const headers = { "x-api-key": "sandbox-key" }
    const byDefault = await startCli([])
    expect(byDefault.url).toBe(`${byDefault.origin}/api`)
    expect(byDefault.output()).toContain(`${byDefault.origin}/crm`)
    expect((await fetch(`${byDefault.origin}/api/cases`, { headers })).status).toBe(200)
    expect((await fetch(`${byDefault.origin}/cases`, { headers })).status).toBe(404)
    expect((await fetch(`${byDefault.origin}/crm/meta/object/case`, { headers })).status).toBe(200)
    const atRoot = await startCli(["--base-path", "/", "--link-style", "absolute"])
    expect(atRoot.url).toBe(atRoot.origin)
    const page = (await (await fetch(`${atRoot.origin}/people?limit=1`, { headers })).json()) as { nextUrl: string }
    expect(page.nextUrl).toMatch(new RegExp(`^${atRoot.origin}/people\\?limit=1&startingAfter=`))
  })

  it("refuses a base path that overlaps the CRM's /crm", async () => {
    await expect(startCli(["--base-path", "/crm/peach"])).rejects.toThrow(/base path.*\/crm/)
  })

  it("refuses invalid knobs with a message and a failing exit code", async () => {
    await expect(startCli(["--fault-rate", "1.5"])).rejects.toThrow(/faultRate/)
  })
})
