import { Command, Options } from "@effect/cli"
import { configOption, jsonOption } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

const options = {
  csv: Options.file("csv", { exists: "yes" }).pipe(Options.optional, Options.withDescription("Start from this CSV export's header and first rows")),
  crm: Options.text("crm").pipe(Options.optional, Options.withDescription("Start from this Khoros-style CRM's /meta/object/case (its API root URL)")),
  crmApiKey: Options.text("crm-api-key").pipe(Options.optional, Options.withDescription("The CRM's API key for that one request (default: $KHOROS_API_KEY); never written to the files")),
  config: configOption,
  mapping: Options.file("mapping").pipe(Options.optional, Options.withDescription("Mapping file to write (default <config name>.mapping.yaml beside the config)")),
  job: Options.text("job").pipe(Options.optional, Options.withDescription("Job name (default: the CSV's file name, or khoros-crm)")),
  targetUrl: Options.text("target-url").pipe(Options.withDefault("http://127.0.0.1:4010/api"), Options.withDescription("The target API's base URL, the default of ${PEACH_BASE_URL} in the config")),
  json: jsonOption
} as const

/** What `casesync init` parses. */
export type InitOptions = Command.Command.ParseConfig<typeof options>

/** `casesync init`: writes a starting run config and mapping from a CSV's header or the CRM's meta; never overwrites. */
export const initCommand = Command.make("init", options, (o) => lazily(() => import("./InitHandler.js"), (h) => h.init(o))).pipe(
  Command.withDescription("Write a starting run config and mapping from a CSV's header or the CRM's /meta/object/case; never overwrites"))
