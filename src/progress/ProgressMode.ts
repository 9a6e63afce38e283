/** What `--progress` asks for. */
export const progressChoices = ["auto", "always", "never", "lines"] as const
export type ProgressChoice = (typeof progressChoices)[number]

/** How progress is shown: a redrawn bar, a log line every 10 s, or not at all. */
export type ProgressMode = "bar" | "lines" | "off"

/**
 * Decides how progress is shown. `--json` keeps stderr quiet (a machine reads it); `auto`
 * draws a bar on a terminal only; `always` draws it anyway; `lines` logs a line every 10 s.
 */
export const progressMode = (choice: ProgressChoice, context: { readonly json: boolean; readonly isTTY: boolean }): ProgressMode => {
  if (context.json) return "off"
  switch (choice) {
    case "never":
      return "off"
    case "always":
      return "bar"
    case "lines":
      return "lines"
    case "auto":
      return context.isTTY ? "bar" : "off"
  }
}
