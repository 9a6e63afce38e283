import { yamlString } from "./RenderMapping.js"

/** The source a run config `init` writes reads from. */
export type InitSource =
  | {
    readonly kind: "csv"
    /** Relative to the config file. */
    readonly path: string
    readonly delimiter: string
    readonly encoding: "utf-8" | "windows-1252"
  }
  | { readonly kind: "khoros"; readonly baseUrl: string }

/** Options of the config `init` writes; paths are relative to the config file. */
export interface InitConfigOptions {
  readonly job: string
  readonly source: InitSource
  readonly mapping: string
  readonly targetUrl: string
}

const sourceLines = (source: InitSource): Array<string> =>
  source.kind === "csv"
    ? [
      "source:",
      "  kind: csv",
      `  path: ${JSON.stringify(source.path)}`,
      `  delimiter: ${JSON.stringify(source.delimiter)}   # guess: the most frequent separator in the header line`,
      source.encoding === "utf-8"
        ? "  encoding: utf-8      # guess: the first rows are valid UTF-8 (else windows-1252 or latin1)"
        : "  encoding: windows-1252   # guess: the first rows are not valid UTF-8 (or latin1?)"
    ]
    : [
      "source:",
      "  kind: khoros",
      `  baseUrl: ${JSON.stringify(source.baseUrl)}`,
      "  apiKey: ${KHOROS_API_KEY}   # sent as X-API-KEY; set the variable, never write the key here",
      "  # guess: the CRM's customer ids are the target borrowers' externalIds (or { ids: [...] },",
      "  # or { csv: { path: customers.csv }, column: customer_id })",
      "  customers: borrowers",
      "  customerConcurrency: 4"
    ]

/** The run config `init` writes: the source it was made from, the mapping beside it, a cautious target. */
export const renderConfig = (options: InitConfigOptions): string =>
  [
    "# Run configuration written by `casesync init`. Paths are relative to this file; secrets come",
    "# from the environment (${NAME}, or ${NAME:-default}). Next: casesync validate --config <this file>",
    `job: ${yamlString(options.job)}`,
    ...sourceLines(options.source),
    `mapping: ${JSON.stringify(options.mapping)}`,
    "target:",
    `  baseUrl: \${PEACH_BASE_URL:-${options.targetUrl}}`,
    "  token: ${PEACH_API_TOKEN}   # or apiKey: ${PEACH_API_KEY} (X-API-KEY)",
    "  requestsPerSecond: 10        # guess: stay under the API's published rate limit",
    "  concurrency: 4",
    "state: .casesync/state.db",
    `output: ${JSON.stringify(`out/${options.job}`)}`,
    ""
  ].join("\n")
