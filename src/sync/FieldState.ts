import { Option } from "effect"
import type { ConflictPolicy } from "./SyncPolicy.js"
import type { WriteRecord } from "./WarGuard.js"

/** One field's value on each side, each in that side's own terms (CRM `closed`, target `canceled`). */
export interface SideValues {
  readonly crm: unknown
  readonly target: unknown
}

/** How a person settles a queued conflict: keep the CRM's value, the target's, or a value of their own (in target terms). */
export type Take =
  | { readonly _tag: "crm" }
  | { readonly _tag: "target" }
  | { readonly _tag: "value"; readonly value: unknown }

/** Why a field is in the conflict queue. */
export type ConflictReason =
  /** Both sides changed it to values that do not agree. */
  | "bothChanged"
  /** A side changed it although its direction does not carry that side's changes. */
  | "drift"
  /** Its value alternated A → B → A over consecutive cycles: see WarGuard. */
  | "war"
  /** There is no base yet and the two sides disagree. */
  | "noBase"
  /** The target cleared it, and the CRM has no empty value for it (`CrmCleared`). */
  | "cannotClear"

/**
 * A field waiting for a person. `crm` and `target` are what the sides held when it was last
 * looked at: a side that moves away from them was edited again, which re-opens the conflict.
 */
export interface QueuedConflict {
  readonly field: string
  readonly reason: ConflictReason
  /** For the report: what happened and why it was not written. */
  readonly detail: string
  readonly crm: unknown
  readonly target: unknown
  readonly base: Option.Option<SideValues>
  /** The cycle that first queued it. */
  readonly since: number
  readonly resolution: Option.Option<Take>
}

/**
 * What the state store keeps per paired record and owned field between cycles: the base per
 * side, the last writes (for the war guard) and the queued conflict, if any.
 */
export interface FieldSyncState {
  readonly base: Option.Option<SideValues>
  readonly history: ReadonlyArray<WriteRecord>
  readonly conflict: Option.Option<QueuedConflict>
}

/** The state of a field never synced: no base, no history, no conflict. */
export const unsynced: FieldSyncState = { base: Option.none(), history: [], conflict: Option.none() }

/** A field's state right after a migration wrote it: both sides as they stand become the base. */
export const syncedAt = (base: SideValues): FieldSyncState => ({ ...unsynced, base: Option.some(base) })

/** Why sync writes a field (or moves its base). */
export type Cause =
  /** The CRM changed, the target did not. */
  | "crmChanged"
  /** The target changed, the CRM did not. */
  | "targetChanged"
  /** Both changed (or there is no base); the field's policy chose. */
  | "conflictPolicy"
  /** A side changed that the direction does not carry; the field's policy chose. */
  | "driftPolicy"
  /** Both sides now agree (changed to equal values, or a conflict that closed by itself). */
  | "sidesAgree"
  /** A person resolved the field's conflict. */
  | "resolution"

/** What one cycle does with one field of one paired record. */
export type FieldDecision =
  | { readonly _tag: "Nothing"; readonly field: string }
  /** Write `target` to the target and/or `crm` to the CRM, each in that side's terms. */
  | {
    readonly _tag: "Write"
    readonly field: string
    readonly target: Option.Option<unknown>
    readonly crm: Option.Option<unknown>
    readonly cause: Cause
    readonly policy: Option.Option<ConflictPolicy>
  }
  /** No write; the base becomes what both sides hold now. */
  | {
    readonly _tag: "MoveBase"
    readonly field: string
    readonly cause: Cause
    readonly policy: Option.Option<ConflictPolicy>
  }
  /** The field is (or stays) in the conflict queue; `reopened` when a newer edit voided its resolution. */
  | { readonly _tag: "Conflict"; readonly field: string; readonly conflict: QueuedConflict; readonly reopened: boolean }

/** A value as a report shows it: JSON, so `null`, `""` and `" a"` are told apart. */
export const describeValue = (value: unknown): string => JSON.stringify(value ?? null)
