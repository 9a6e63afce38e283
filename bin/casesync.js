#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, so `npx casesync` works in a
// checkout straight after `npm ci`, with no build step to forget.
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
