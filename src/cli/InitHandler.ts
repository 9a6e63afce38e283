// The handler of `casesync init`, loaded only when it is chosen.
import { Console, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { guessMapping } from "../init/FieldGuess.js"
import { InitError } from "../init/InitError.js"
import { readCrmFields, readCsvShape, sampledRows } from "../init/ReadSourceFields.js"
import { type InitSource, renderConfig } from "../init/RenderConfig.js"
import { renderMapping } from "../init/RenderMapping.js"
import type { InitOptions } from "./InitCommand.js"
import { shellCommand } from "./ShellWords.js"

const jobName = (text: string) => text.replace(/\.(csv|txt)(\.gz)?$/i, "").replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "job"

/** A path as the config file (in `fromDir`) refers to it: an absolute one stays absolute. */
const relativeTo = (fromDir: string, file: string) =>
  path.isAbsolute(file) ? file : path.relative(path.resolve(fromDir), path.resolve(file)) || "."

/** `casesync init`: writes a starting run config and mapping from a CSV's header or the CRM's meta; never overwrites. */
export const init = (o: InitOptions) =>
  Effect.gen(function*() {
    if (Option.isSome(o.csv) === Option.isSome(o.crm)) {
      return yield* new InitError({ reason: "NoSource", detail: "give exactly one of --csv FILE or --crm URL to start from" })
    }
    const configFile = o.config
    const mappingFile = Option.getOrElse(o.mapping, () => path.join(path.dirname(configFile), `${path.basename(configFile).replace(/\.ya?ml$/i, "")}.mapping.yaml`))
    // Checked before reading the source, and again by the exclusive writes below.
    for (const file of [configFile, mappingFile]) {
      if (fs.existsSync(file)) return yield* new InitError({ reason: "Exists", detail: file })
    }
    const configDir = path.dirname(configFile)
    const csv = Option.getOrUndefined(o.csv)
    const read = csv !== undefined
      ? Effect.map(readCsvShape(csv), (shape) => ({
        job: Option.getOrElse(o.job, () => jobName(path.basename(csv))),
        fields: shape.fields,
        description: `csv ${csv}`,
        sampled: `the first ${sampledRows} rows`,
        source: { kind: "csv", path: relativeTo(configDir, csv), delimiter: shape.delimiter, encoding: shape.encoding } as InitSource
      }))
      : Effect.gen(function*() {
        const baseUrl = Option.getOrThrow(o.crm)
        const apiKey = Option.getOrUndefined(o.crmApiKey) ?? process.env["KHOROS_API_KEY"]
        if (apiKey === undefined || apiKey === "") {
          return yield* new InitError({ reason: "NoApiKey", detail: "the CRM needs an API key: pass --crm-api-key or set KHOROS_API_KEY" })
        }
        const fields = yield* readCrmFields(baseUrl, apiKey)
        return {
          job: Option.getOrElse(o.job, () => "khoros-crm"),
          fields,
          description: `khoros ${baseUrl} (its /meta/object/case)`,
          sampled: "the CRM's meta",
          source: { kind: "khoros", baseUrl } as InitSource
        }
      })
    const found = yield* read
    const guess = guessMapping(found.fields)
    const mappingText = renderMapping(guess, { job: found.job, source: found.description, sampled: found.sampled })
    // The mapping is named from the config's folder, where loadRunConfig resolves it.
    const configText = renderConfig({ job: found.job, source: found.source, mapping: relativeTo(configDir, mappingFile), targetUrl: o.targetUrl })
    yield* Effect.try({
      try: () => {
        // Both folders are made, as a person who names a new folder for either expects.
        fs.mkdirSync(path.dirname(mappingFile), { recursive: true })
        fs.mkdirSync(path.dirname(configFile), { recursive: true })
        fs.writeFileSync(mappingFile, mappingText, { flag: "wx" })
        try {
          fs.writeFileSync(configFile, configText, { flag: "wx" })
        } catch (error) {
          fs.rmSync(mappingFile)
          throw error
        }
      },
      catch: (error) => error as NodeJS.ErrnoException
    }).pipe(
      Effect.catchAll((error) =>
        error.code === "EEXIST" && error.syscall === "open"
          ? new InitError({ reason: "Exists", detail: error.path ?? "a file" })
          : typeof error.code === "string"
          ? new InitError({ reason: "Unwritable", detail: `${error.path ?? "a file"} (${error.code === "ENOTDIR" || error.code === "EEXIST" ? "a file stands where a folder should be" : error.code === "EACCES" || error.code === "EPERM" ? "permission denied" : error.code})` })
          : Effect.die(error)
      )
    )
    const guessed = guess.fields.length + [guess.key, guess.borrower, guess.caseType].filter((g) => g !== undefined).length
    const todos = mappingText.split("\n").filter((line) => /TODO/.test(line) && line.trimStart().startsWith("#")).length
    if (o.json) {
      yield* Console.log(JSON.stringify({ command: "init", job: found.job, config: configFile, mapping: mappingFile, guess }, null, 2))
    } else {
      yield* Console.log([
        `wrote ${configFile} and ${mappingFile} (job ${found.job}, from ${found.description})`,
        `  ${guessed} guess(es) to check, ${todos} TODO(s) to decide, ${guess.unmatched.length} source field(s) neither mapped nor ignored`,
        `  next: ${shellCommand(["casesync", "validate", "--config", configFile])}   (it refuses each TODO at its line)`
      ].join("\n"))
    }
  })
