import { Effect, Either } from "effect"
import jsonata from "jsonata"

/**
 * `compute:` — the escape hatch: a JSONata expression evaluated against the whole
 * source record. It has no inverse, so computed fields only ever feed the target.
 */
export interface ComputeExpression {
  readonly text: string
  /** Top-level source fields the expression reads (for unknown-field checks and coverage). */
  readonly fields: ReadonlyArray<string>
  readonly evaluate: (data: unknown) => Effect.Effect<unknown, string>
}

/** Compiles an expression, or says what is wrong with it and where (1-based character). */
export const compileExpression = (
  text: string
): Either.Either<ComputeExpression, { readonly message: string; readonly character: number | undefined }> => {
  let expression: jsonata.Expression
  try {
    expression = jsonata(text)
  } catch (error) {
    const failure = error as Partial<jsonata.JsonataError>
    return Either.left({ message: failure.message ?? String(error), character: failure.position })
  }
  const changing = nondeterministicUses(expression.ast())
  if (changing.length > 0) {
    const first = changing[0]!
    return Either.left({
      message: `$${first.name} gives a different value on every run, so a rerun would never be quiet; a computed ` +
        `value may depend only on the record (refused: ${[...nondeterministic].map((name) => `$${name}`).join(", ")})`,
      character: first.position
    })
  }
  const evaluate = (data: unknown) =>
    Effect.tryPromise({
      try: () => expression.evaluate(data),
      catch: (error) => `compute ${JSON.stringify(text)} failed: ${(error as Error).message ?? String(error)}`
    }).pipe(Effect.map(plain))
  return Either.right({ text, fields: rootFields(expression.ast()), evaluate })
}

/**
 * JSONata's built-ins whose result is not a function of the record: the clock, randomness,
 * and `$eval`, which runs a string as an expression and so cannot be checked here.
 */
const nondeterministic = new Set(["now", "millis", "random", "shuffle", "eval"])

/** Every reference to a non-deterministic built-in, called or passed as a value, in source order. */
const nondeterministicUses = (ast: jsonata.ExprNode): ReadonlyArray<{ readonly name: string; readonly position: number | undefined }> => {
  const found: Array<{ name: string; position: number | undefined }> = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item)
      return
    }
    if (node === null || typeof node !== "object") return
    const expr = node as { readonly type?: string; readonly value?: unknown; readonly position?: number }
    if (expr.type === "variable" && typeof expr.value === "string" && nondeterministic.has(expr.value)) {
      found.push({ name: expr.value, position: expr.position })
    }
    for (const child of Object.values(expr)) if (typeof child === "object") visit(child)
  }
  visit(ast)
  return found.sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
}

/** JSONata marks result arrays as sequences; a JSON round trip leaves plain data for the target. */
const plain = (value: unknown): unknown =>
  value === undefined || value === null || typeof value !== "object" ? value : JSON.parse(JSON.stringify(value))

/**
 * Names the expression reads from the record's top level: the first step of every path
 * evaluated against the root. Names inside later steps, filters and lambdas are relative
 * to nested values and are left out.
 */
const rootFields = (ast: jsonata.ExprNode): ReadonlyArray<string> => {
  const found = new Set<string>()
  const visit = (node: unknown, atRoot: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, atRoot)
      return
    }
    if (node === null || typeof node !== "object") return
    const expr = node as { readonly type?: string; readonly value?: unknown; readonly steps?: unknown }
    if (expr.type === "name" && atRoot && typeof expr.value === "string") found.add(expr.value)
    // "path" is missing from the typings' node types, but it is what `a.b` parses to.
    if (expr.type === "path" && Array.isArray(expr.steps)) {
      expr.steps.forEach((step, index) => visit(step, atRoot && index === 0))
      return
    }
    const inside = atRoot && expr.type !== "lambda"
    for (const [key, child] of Object.entries(expr)) {
      if (key === "stages" || key === "predicate" || key === "group") visit(child, false)
      else if (typeof child === "object") visit(child, inside)
    }
  }
  visit(ast, true)
  return [...found]
}
