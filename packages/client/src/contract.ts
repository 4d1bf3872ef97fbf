// The router's types, for the client. In the workspace they come straight from @taskwire/api.
// The build (scripts/standalone-contract.mjs) replaces this file's declaration with the same
// types written out, so the published package needs nothing of the server: see README.md.
export type { AppRouter, RouterInputs, RouterOutputs } from '@taskwire/api';
