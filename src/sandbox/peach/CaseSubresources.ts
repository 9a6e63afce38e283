import { Either, HashMap, Option } from "effect"
import type { AddAssociation, Case, CompanyEscalation, Escalation, EscalationRequest } from "../../domain/peach/index.js"
import { caseOr404, personOr404 } from "./PeachLookups.js"
import type { Write } from "./PeachState.js"
import { allCases, type PeachStore, putCase, sandboxApiUser } from "./PeachStore.js"

/**
 * Applies `change` to the case a path names (404 if the borrower or the case is
 * unknown). An actual change moves `updatedAt` and `lastSubresourceUpdatedAt` (seed 001:
 * associations, snoozes... count as case updates) unless `touch` is false.
 */
const changeCase = (
  personRef: string,
  caseRef: string,
  change: (current: Case, now: string, store: PeachStore) => readonly [Case, PeachStore?],
  touch = true
): Write<Case> =>
(store, { now }) =>
  Either.gen(function*() {
    const person = yield* personOr404(store, personRef)
    const current = yield* caseOr404(store, person, caseRef)
    const [changed, changedStore = store] = change(current, now, store)
    if (changed === current) return [current, changedStore] as const
    const updated: Case = touch
      ? { ...changed, updatedAt: now, lastSubresourceUpdatedAt: now, lastSubresourceUpdatedBy: sandboxApiUser }
      : changed
    return [updated, putCase(changedStore, updated, current)] as const
  })

/** `POST .../associations`: links an object once (adding it again changes nothing). */
export const addAssociation = (personRef: string, caseRef: string, body: AddAssociation): Write<Case> =>
  changeCase(personRef, caseRef, (current) => {
    const associations = current.associations ?? []
    if (associations.some((a) => a.objectType === body.objectType && a.objectId === body.objectId)) return [current]
    return [{ ...current, associations: [...associations, { objectType: body.objectType, objectId: body.objectId }] }]
  })

/** `DELETE .../associations?objectType&objectId`: unlinks it; removing an absent link changes nothing. */
export const removeAssociation = (personRef: string, caseRef: string, objectType: string, objectId: string): Write<Case> =>
  changeCase(personRef, caseRef, (current) => {
    const associations = current.associations ?? []
    const kept = associations.filter((a) => !(a.objectType === objectType && a.objectId === objectId))
    return kept.length === associations.length ? [current] : [{ ...current, associations: kept }]
  })

/** `POST .../views`: records who looked and when; a view is not an update, so `updatedAt` stays. */
export const markViewed = (personRef: string, caseRef: string): Write<Case> =>
  changeCase(personRef, caseRef, (current, now) => [{ ...current, lastViewedAt: now, lastViewedBy: sandboxApiUser }], false)

/** `POST .../escalations`: escalates to a team and/or employee, or de-escalates when both are null. */
export const escalate = (personRef: string, caseRef: string, body: EscalationRequest): Write<Case> =>
  changeCase(personRef, caseRef, (current, now, store) => {
    const team = body.escalatedTeamId ?? null
    const employee = body.escalatedEmployeeId ?? null
    if (team === null && employee === null) {
      if (current.escalatedAt == null) return [current]
      return [{ ...current, escalatedAt: null, escalatedTeamId: null, escalatedEmployeeId: null, escalationIsUrgent: null }]
    }
    const escalation: Escalation = {
      escalatedTeamId: team,
      escalatedEmployeeId: employee,
      note: body.note ?? null,
      isUrgent: body.isUrgent ?? false
    }
    const history = escalationsOf(store, current.id)
    return [
      { ...current, escalatedAt: now, escalatedTeamId: team, escalatedEmployeeId: employee, escalationIsUrgent: escalation.isUrgent ?? false },
      { ...store, escalations: HashMap.set(store.escalations, current.id, [...history, escalation]) }
    ]
  })

/** Every escalation request a case received, oldest first. */
export const escalationsOf = (store: PeachStore, caseId: string): ReadonlyArray<Escalation> =>
  Option.getOrElse(HashMap.get(store.escalations, caseId), (): ReadonlyArray<Escalation> => [])

/** `GET /cases/escalations`: the cases escalated now, with their latest escalation. */
export const activeEscalations = (store: PeachStore): ReadonlyArray<CompanyEscalation> =>
  allCases(store).flatMap((c) => {
    if (c.escalatedAt == null) return []
    const latest = escalationsOf(store, c.id).at(-1)
    const team = c.escalatedTeamId ?? null
    const employee = c.escalatedEmployeeId ?? null
    return [{
      escalatedTeamId: team,
      escalatedEmployeeId: employee,
      note: latest?.note ?? null,
      isUrgent: c.escalationIsUrgent ?? false,
      caseId: c.id,
      caseName: c.name ?? "",
      escalationTargetName: team !== null ? `Team ${team}` : employee !== null ? `Employee ${employee}` : null
    }]
  })

/** `POST .../snooze`: snoozed now until the UTC date `snoozeFor` days ahead. */
export const snooze = (personRef: string, caseRef: string, snoozeFor: number): Write<Case> =>
  changeCase(personRef, caseRef, (current, now) => {
    const until = new Date(Date.parse(now) + snoozeFor * 86_400_000).toISOString().slice(0, 10)
    return [{ ...current, snoozedAt: now, snoozedUntil: until }]
  })

/** `DELETE .../snooze`: cancels a snooze; cancelling none changes nothing. */
export const cancelSnooze = (personRef: string, caseRef: string): Write<Case> =>
  changeCase(personRef, caseRef, (current) =>
    current.snoozedAt == null && current.snoozedUntil == null
      ? [current]
      : [{ ...current, snoozedAt: null, snoozedUntil: null }])
