import { Either } from "effect"
import type { CaseType } from "../domain/peach/index.js"
import { suggestion } from "./PositionedYaml.js"

/**
 * The case types a mapping can target: the ACTIVE version of each type id, since new
 * cases are always created from the active version (seed 002).
 */
export class ActiveCaseTypes {
  private constructor(
    readonly active: ReadonlyMap<string, CaseType>,
    private readonly all: ReadonlyArray<CaseType>
  ) {}

  /** Keeps the active version of each id among all versions the target listed. */
  static make(caseTypes: ReadonlyArray<CaseType>): ActiveCaseTypes {
    const active = new Map<string, CaseType>()
    for (const caseType of caseTypes) {
      if (caseType.status === "active" && caseType.deletedAt == null) active.set(caseType.id, caseType)
    }
    return new ActiveCaseTypes(active, caseTypes)
  }

  /** Finds the active type called `name` or with id `name`, or explains why there is none. */
  byNameOrId(name: string): Either.Either<CaseType, string> {
    const byId = this.active.get(name)
    if (byId !== undefined) return Either.right(byId)
    const named = [...this.active.values()].filter((caseType) => caseType.name === name)
    if (named.length === 1) return Either.right(named[0]!)
    if (named.length > 1) {
      return Either.left(`case type name '${name}' is ambiguous (ids ${named.map((c) => c.id).join(", ")}); use caseType.id`)
    }
    const inactive = this.all.filter((caseType) => caseType.name === name || caseType.id === name)
    if (inactive.length > 0) {
      const statuses = inactive.map((c) => `${c.id}${versionSuffix(c)} ${c.status}`).join(", ")
      return Either.left(`case type '${name}' has no active version (${statuses}); activate it in the target first`)
    }
    return Either.left(`no active case type is called '${name}'${suggestion(name, this.names())} (active: ${this.describeAll()})`)
  }

  /** Finds the single active type with base `base` (`generic`, `bankruptcy`…), or explains. */
  byBase(base: string): Either.Either<CaseType, string> {
    const matching = [...this.active.values()].filter((caseType) => caseType.caseType === base)
    if (matching.length === 1) return Either.right(matching[0]!)
    if (matching.length === 0) return Either.left(`no active case type has base '${base}' (active: ${this.describeAll()})`)
    return Either.left(
      `${matching.length} active case types have base '${base}' (${matching.map(describeType).join(", ")}); name one with caseType.name`
    )
  }

  private names(): ReadonlyArray<string> {
    return [...this.active.values()].map((caseType) => caseType.name)
  }

  private describeAll(): string {
    return [...this.active.values()].map(describeType).join(", ") || "none"
  }
}

/** ` v2`, or nothing for a server that does not say a type's version. */
export const versionSuffix = (caseType: CaseType): string => caseType.version === undefined ? "" : ` v${caseType.version}`

/** `'CRM conversation' (106)`: how messages name a case type. */
export const describeType = (caseType: CaseType): string => `'${caseType.name}' (${caseType.id})`
