/** The request policy shared by every HTTP client of casesync: config, typed errors, retries, pacing. */
export * from "./ContractIssues.js"
export * from "./HttpPolicy.js"
export * from "./HttpRequestError.js"
export * from "./JsonApiClient.js"
export * from "./RequestPacer.js"
export * from "./RetryPolicy.js"
export * from "./TransportFailure.js"
