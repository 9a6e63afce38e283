import { formatWait } from "../progress/ProgressFrame.js"
import type { HttpRequestError } from "./HttpRequestError.js"

const transportWords = { NotConnected: "no connection", ConnectionLost: "a lost connection", Timeout: "a timeout" } as const

/**
 * What a person watching should read when a retry is decided: a 429 is the target slowing
 * us down ("target slow: waiting 2 s (Retry-After)"), anything else a failure retried.
 */
export const retryNotice = (error: HttpRequestError, delayMillis: number, askedMillis: number | undefined): string => {
  const wait = formatWait(delayMillis)
  const why = askedMillis === undefined ? undefined : "Retry-After"
  switch (error._tag) {
    case "RateLimited":
      return `target slow: waiting ${wait} (${why ?? error.status})`
    case "ServerError":
      return `retrying after ${error.status} in ${wait}${why === undefined ? "" : ` (${why})`}`
    case "Transport":
      return `retrying after ${transportWords[error.reason]} in ${wait}`
    default:
      return `retrying after ${error._tag} in ${wait}`
  }
}
