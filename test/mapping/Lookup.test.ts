import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as NodePath from "node:path"
import { compileMapping, formatIssue, type MappingLoadError } from "../../src/mapping/index.js"
import { caseTypes, generic, issueWith, mapped } from "./MappingFixtures.js"

// A project as a person lays it out: the mapping in mappings/, the run config in config/,
// and, next to the project, a file the mapping must never be able to read.
const secret = "PEACH_API_TOKEN-s3cr3t-value"

const project = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(NodePath.join(os.tmpdir(), "casesync-lookup-"))
    fs.mkdirSync(NodePath.join(dir, "project/mappings"), { recursive: true })
    fs.mkdirSync(NodePath.join(dir, "project/config"), { recursive: true })
    fs.writeFileSync(NodePath.join(dir, "outside.csv"), `code,email\n${secret},x@example.com\n`)
    fs.writeFileSync(NodePath.join(dir, "project/config/agents.csv"), "code,email\nAG-1,a@example.com\n")
    // A secret beside the config, in the folder a lookup may read: its content stays out of messages too.
    fs.writeFileSync(NodePath.join(dir, "project/config/.env"), `${secret}=1\n`)
    fs.symlinkSync(NodePath.join(dir, "outside.csv"), NodePath.join(dir, "project/mappings/link.csv"))
    return {
      dir,
      mapping: NodePath.join(dir, "project/mappings/cases.yaml"),
      config: NodePath.join(dir, "project/config/casesync.yaml")
    }
  }),
  ({ dir }) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const withLookup = (file: string, key = "code") =>
  generic(`  customFields.legacyAgentEmail:\n    from: agent_code\n    lookup: { file: ${JSON.stringify(file)}, key: ${key}, value: email }`)

const load = (yaml: string, files: { mapping: string; config: string }) =>
  compileMapping(yaml, { file: files.mapping, configFile: files.config, caseTypes }).pipe(Effect.provide(NodeContext.layer))

const refusal = (yaml: string, files: { mapping: string; config: string }) =>
  load(yaml, files).pipe(
    Effect.flip,
    Effect.catchAll(() => Effect.die("expected the mapping to be refused")),
    Effect.map((error: MappingLoadError) => error)
  )

/** Line and column (1-based) of `text` in `yaml`. */
const at = (yaml: string, text: string) => {
  const before = yaml.slice(0, yaml.indexOf(text)).split("\n")
  return { line: before.length, column: before[before.length - 1]!.length + 1 }
}

describe("lookup files stay inside the mapping's or the config's folder", () => {
  it.scoped("a lookup in the config's folder loads", () =>
    Effect.gen(function*() {
      const files = yield* project
      const mapping = yield* load(withLookup("../config/agents.csv"), files)
      const result = yield* mapped(mapping, { case_id: "LC-1", borrower_ref: "BRW-1001", agent_code: "AG-1" })
      expect(result.body.customFields).toEqual({ legacyAgentEmail: "a@example.com" })
    }))

  for (
    const [name, file, why] of [
      ["a path that climbs out with ..", "../../outside.csv", "outside"],
      ["an absolute path", "OUTSIDE_ABSOLUTE", "relative to the mapping file"],
      ["a symlink beside the mapping that points out", "link.csv", "is a link to"],
      ["a system file", "../../../../../../../proc/self/environ", "outside"]
    ] as const
  ) {
    it.scoped(`${name} is a load error at the line and column of the path, and never shows the file's content`, () =>
      Effect.gen(function*() {
        const files = yield* project
        const path = file === "OUTSIDE_ABSOLUTE" ? NodePath.join(files.dir, "outside.csv") : file
        const yaml = withLookup(path)
        const error = yield* refusal(yaml, files)
        const issue = issueWith(error.issues, why)
        expect({ line: issue.line, column: issue.column }).toEqual(at(yaml, JSON.stringify(path)))
        expect(formatIssue(files.mapping, issue)).toMatch(new RegExp(`^${files.mapping}:${issue.line}:${issue.column} `))
        expect(error.message).not.toContain(secret)
        expect(error.message).not.toContain("PATH=")
      }))
  }

  it.scoped("a file inside that is not the table meant (a .env) is refused without quoting its first row", () =>
    Effect.gen(function*() {
      const files = yield* project
      const error = yield* refusal(withLookup("../config/.env"), files)
      expect(issueWith(error.issues, "has no key column 'code'").message).toContain("1 column")
      expect(error.message).not.toContain(secret)
    }))
})
