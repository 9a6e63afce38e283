import type { TransportReason } from "./HttpRequestError.js"

/** Socket error codes that mean the request never left this machine, so resending is always safe. */
const notConnectedCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** The first `code` found on an error or its causes (fetch wraps socket errors in `TypeError: fetch failed`). */
const findCode = (error: unknown, depth = 0): string | undefined => {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof record.code === "string") return record.code
  const fromCause = findCode(record.cause, depth + 1)
  if (fromCause !== undefined) return fromCause
  return Array.isArray(record.errors)
    ? record.errors.map((e) => findCode(e, depth + 1)).find((code) => code !== undefined)
    : undefined
}

const describeCause = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const record = current as { message?: unknown; cause?: unknown }
    if (typeof record.message === "string" && record.message !== "" && !parts.includes(record.message)) {
      parts.push(record.message)
    }
    current = record.cause
  }
  return parts.length > 0 ? parts.join(": ") : String(error)
}

/**
 * Classifies a failed send: `NotConnected` when the connection never opened (the
 * server cannot have seen the request), otherwise `ConnectionLost`, because a
 * reset or closed socket may come after the server received and acted on it.
 */
export const classifyTransportFailure = (cause: unknown): { readonly reason: TransportReason; readonly detail: string } => {
  const code = findCode(cause)
  const detail = describeCause(cause)
  return {
    reason: code !== undefined && notConnectedCodes.has(code) ? "NotConnected" : "ConnectionLost",
    detail: code !== undefined && !detail.includes(code) ? `${code}: ${detail}` : detail
  }
}
