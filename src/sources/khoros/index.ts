/** The Khoros-style CRM source: case and meta schemas, the client, customer enumeration and the case stream. */
export * from "./KhorosCase.js"
export * from "./KhorosClient.js"
export * from "./KhorosCustomers.js"
export * from "./KhorosErrorBody.js"
export * from "./KhorosMeta.js"
export * from "./KhorosSource.js"
