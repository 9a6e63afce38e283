import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import nock from "nock"
import { jsonBody } from "../../src/http/index.js"
import { apiOrigin, makeTestClient, testPolicy, useNock } from "./NockTestKit.js"
import { Envelope, failureOf, thing, Thing, ThingCreate } from "./ThingApi.js"

useNock()

// Retry-After, backoff and "a create is never sent twice blindly": JsonApiClientRetries.test.ts.
describe("JsonApiClient: status mapping", () => {
  const get = (status: number, body: nock.Body) =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").reply(status, body)
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 1 }))
      return yield* failureOf(client.json({ method: "GET", path: "/things/1" }, Thing))
    })

  it.effect("400 with field messages is Invalid carrying them", () =>
    Effect.gen(function*() {
      const error = yield* get(400, {
        status: 400,
        message: "validation failed",
        errors: [{ field: "openedAt", message: "must carry a UTC offset" }, { field: "status", message: "unknown value" }]
      })
      expect(error).toMatchObject({
        _tag: "Invalid",
        status: 400,
        method: "GET",
        url: `${apiOrigin}/things/1`,
        serverMessage: "validation failed",
        fieldErrors: [{ field: "openedAt", message: "must carry a UTC offset" }, { field: "status", message: "unknown value" }]
      })
      expect(error.message).toContain("openedAt: must carry a UTC offset")
    }))

  it.effect("401 and 403 are Unauthorized", () =>
    Effect.gen(function*() {
      expect(yield* get(401, { status: 401, message: "missing credentials" })).toMatchObject({
        _tag: "Unauthorized",
        status: 401,
        serverMessage: "missing credentials"
      })
      expect(yield* get(403, { status: 403, message: "forbidden" })).toMatchObject({ _tag: "Unauthorized", status: 403 })
    }))

  it.effect("404 is NotFound, 409 is Conflict, 500 is ServerError", () =>
    Effect.gen(function*() {
      expect(yield* get(404, { status: 404, message: "no such case" })).toMatchObject({
        _tag: "NotFound",
        status: 404,
        serverMessage: "no such case"
      })
      expect(
        yield* get(409, { status: 409, message: "duplicate externalId", errors: [{ field: "externalId", message: "taken" }] })
      ).toMatchObject({ _tag: "Conflict", status: 409, fieldErrors: [{ field: "externalId", message: "taken" }] })
      expect(yield* get(500, { status: 500, message: "boom" })).toMatchObject({ _tag: "ServerError", status: 500 })
    }))

  it.effect("a non-JSON error body becomes the server message", () =>
    Effect.gen(function*() {
      expect(yield* get(404, "<html>Not Found</html>")).toMatchObject({
        _tag: "NotFound",
        serverMessage: "<html>Not Found</html>"
      })
    }))

  it.effect("other 4xx statuses are Invalid; 1xx/3xx are UnexpectedStatus", () =>
    Effect.gen(function*() {
      expect(yield* get(422, { message: "unprocessable" })).toMatchObject({ _tag: "Invalid", status: 422 })
      expect(yield* get(304, "")).toMatchObject({ _tag: "UnexpectedStatus", status: 304 })
    }))

  it.effect("a refused connection on the last attempt is a Transport NotConnected error, not ambiguous", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.0.1:443" })
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 1 }))
      const error = yield* failureOf(client.noContent({ method: "POST", path: "/things" }))
      expect(error).toMatchObject({ _tag: "Transport", reason: "NotConnected", ambiguous: false })
      expect(error.message).toContain("ECONNREFUSED")
    }))
})

describe("JsonApiClient: decoding at the boundary", () => {
  const getBody = (body: nock.Body, schema: Schema.Schema<any, any> = Envelope) =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").reply(200, body)
      const client = yield* makeTestClient()
      return yield* failureOf(client.json({ method: "GET", path: "/things/1" }, schema))
    })

  it.effect("a bad enum value is a Decode error naming data.status", () =>
    Effect.gen(function*() {
      const error = yield* getBody({ status: 200, data: { id: "T-1", status: "pending" } })
      expect(error).toMatchObject({ _tag: "Decode", status: 200, path: "data.status" })
      expect(error._tag === "Decode" && error.issues[0]?.message).toContain("\"pending\"")
      expect(error.message).toContain("data.status")
    }))

  it.effect("a timestamp without offset is a Decode error naming data.openedAt", () =>
    Effect.gen(function*() {
      const error = yield* getBody({ status: 200, data: { id: "T-1", status: "open", openedAt: "2024-01-02T03:04:05" } })
      expect(error).toMatchObject({ _tag: "Decode", path: "data.openedAt" })
      expect(error._tag === "Decode" && error.issues[0]?.message).toContain("offset")
    }))

  it.effect("every offending field is listed, with array indexes", () =>
    Effect.gen(function*() {
      const error = yield* getBody(
        { status: 200, data: [{ id: "a", status: "open" }, { id: 2, status: "gone" }] },
        Schema.Struct({ status: Schema.Int, data: Schema.Array(Thing) })
      )
      expect(error._tag === "Decode" && error.issues.map((i) => i.path)).toEqual(["data[1].id", "data[1].status"])
    }))

  it.effect("a body that is not JSON, or is empty, is a Decode error, not a crash", () =>
    Effect.gen(function*() {
      expect(yield* getBody("<html>oops</html>")).toMatchObject({ _tag: "Decode", path: "" })
      expect(yield* getBody("")).toMatchObject({ _tag: "Decode", path: "" })
    }))

  it.effect("a body that breaks its schema is refused before anything is sent", () =>
    Effect.gen(function*() {
      const scope = nock(apiOrigin).post("/things").reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient()
      const error = yield* failureOf(
        client.json(
          { method: "POST", path: "/things", body: jsonBody(ThingCreate, { name: "x", openedAt: "2024-01-02 03:04" }) },
          Envelope
        )
      )
      expect(error._tag).toBe("Invalid")
      expect(error._tag === "Invalid" && error.status).toBeUndefined()
      expect(error._tag === "Invalid" && error.fieldErrors.map((f) => f.field)).toEqual(["openedAt"])
      expect(scope.isDone()).toBe(false)
    }))
})

describe("JsonApiClient: requests", () => {
  it.effect("sends Authorization: Bearer with a bearer policy", () =>
    Effect.gen(function*() {
      nock(apiOrigin, { reqheaders: { authorization: "Bearer s3cret", accept: "application/json" } })
        .get("/things/1")
        .reply(200, thing)
      const client = yield* makeTestClient(testPolicy({ auth: { _tag: "Bearer", token: "s3cret" } }))
      expect(yield* client.json({ method: "GET", path: "/things/1" }, Thing)).toEqual(thing)
    }))

  it.effect("sends the API key in its header, and no Authorization", () =>
    Effect.gen(function*() {
      nock(apiOrigin, { reqheaders: { "x-api-key": "k-123" }, badheaders: ["authorization"] })
        .get("/things/1")
        .reply(200, thing)
      const client = yield* makeTestClient(testPolicy({ auth: { _tag: "ApiKey", header: "X-API-KEY", key: "k-123" } }))
      expect(yield* client.json({ method: "GET", path: "/things/1" }, Thing)).toEqual(thing)
    }))

  it.effect("keeps secrets out of the policy's printed form", () =>
    Effect.sync(() => {
      const policy = testPolicy({ auth: { _tag: "Bearer", token: "s3cret" } })
      expect(JSON.stringify(policy)).not.toContain("s3cret")
      expect(String(policy.auth._tag === "Bearer" && policy.auth.token)).not.toContain("s3cret")
    }))

  it.effect("resolves paths under the base URL's own path and encodes the query", () =>
    Effect.gen(function*() {
      nock("http://api.casesync.test")
        .get("/api/v1/things")
        .query({ limit: "2", startingAfter: "T 1/2", loanTypeId: ["a", "b"], flag: "true" })
        .reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient(testPolicy({ baseUrl: `${apiOrigin}/api/v1/` }))
      const result = yield* client.json(
        {
          method: "GET",
          path: "/things",
          query: { limit: 2, startingAfter: "T 1/2", loanTypeId: ["a", "b"], flag: true, absent: undefined }
        },
        Envelope
      )
      expect(result.data).toEqual(thing)
    }))

  it.effect("noContent accepts a 204 and ignores any body", () =>
    Effect.gen(function*() {
      nock(apiOrigin).delete("/things/1/snooze").reply(204)
      nock(apiOrigin).post("/things/1/views").reply(200, "whatever")
      const client = yield* makeTestClient()
      yield* client.noContent({ method: "DELETE", path: "/things/1/snooze" })
      yield* client.noContent({ method: "POST", path: "/things/1/views" })
      expect(nock.isDone()).toBe(true)
    }))
})
