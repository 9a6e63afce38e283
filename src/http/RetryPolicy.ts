import { Duration, Effect, Schedule } from "effect"
import { noticeProgress } from "../progress/Progress.js"
import type { HttpPolicy } from "./HttpPolicy.js"
import type { HttpRequestError } from "./HttpRequestError.js"
import { retryNotice } from "./RetryNotice.js"

/** Gateway and availability statuses that say "try again", unlike a 500 which is usually a bug. */
export const transientServerStatuses: ReadonlySet<number> = new Set([502, 503, 504])

/**
 * Reads `Retry-After` (RFC 9110: delay in seconds, or an HTTP-date) as milliseconds
 * from `nowMillis`; `undefined` when absent or unreadable, 0 for a date in the past.
 */
export const parseRetryAfter = (header: string | undefined, nowMillis: number): number | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  // HTTP-date only: Date.parse also accepts bare numbers and partial strings we must not guess at.
  if (!/[A-Za-z]{3},?\s/.test(value)) return undefined
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis)
}

/**
 * Whether a failed attempt may be sent again unchanged. A 429 and a connection
 * that never opened are always safe; for other transient failures (502/503/504,
 * lost connection, timeout) only an idempotent request is, because a create that
 * may have been applied must not be sent twice blindly.
 */
export const isRetryable = (error: HttpRequestError, idempotent: boolean): boolean => {
  switch (error._tag) {
    case "RateLimited":
      return true
    case "Transport":
      return error.reason === "NotConnected" || idempotent
    case "ServerError":
      return idempotent && transientServerStatuses.has(error.status)
    default:
      return false
  }
}

/** The wait the server asked for, if the error carries one. */
export const retryAfterOf = (error: HttpRequestError): number | undefined =>
  error._tag === "RateLimited" || error._tag === "ServerError" ? error.retryAfterMillis : undefined

/**
 * The retry schedule of the shared policy, fed with each failed attempt's error:
 * exponential backoff from `backoffBaseMillis` with jitter, capped at
 * `backoffCapMillis`, at most `maxAttempts - 1` retries, only for retryable errors;
 * a `Retry-After` from the server replaces the computed delay (and a wait longer
 * than `maxRetryAfterMillis` ends the retries). Delays run on Effect's `Clock`,
 * so `TestClock` drives it. Each retry decided is told to the run's `Progress`.
 */
export const retrySchedule = (
  policy: Pick<HttpPolicy, "backoffBaseMillis" | "backoffCapMillis" | "maxAttempts" | "maxRetryAfterMillis">,
  idempotent: boolean
): Schedule.Schedule<unknown, HttpRequestError> =>
  Schedule.exponential(Duration.millis(policy.backoffBaseMillis), 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(policy.backoffCapMillis))),
    Schedule.intersect(Schedule.recurs(policy.maxAttempts - 1)),
    Schedule.intersect(Schedule.identity<HttpRequestError>()),
    Schedule.whileInput((error: HttpRequestError) => {
      const asked = retryAfterOf(error)
      return isRetryable(error, idempotent) && (asked === undefined || asked <= policy.maxRetryAfterMillis)
    }),
    Schedule.modifyDelay(([, error], delay) => {
      const asked = retryAfterOf(error)
      return asked === undefined ? delay : Duration.millis(asked)
    }),
    // The delay is final here: tell the run's progress, so a slow target is seen as it happens.
    Schedule.modifyDelayEffect(([, error], delay) =>
      Effect.as(noticeProgress(retryNotice(error, Duration.toMillis(delay), retryAfterOf(error))), delay)
    )
  )
