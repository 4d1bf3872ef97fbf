// Writes dist/contract.d.ts: the router's types (AppRouter, RouterInputs, RouterOutputs) with
// nothing of the server in them, so the packed client type-checks on its own.
//
// TypeScript's declaration emit of @taskwire/api's router.ts already writes every procedure's
// input, output and error shape out in full, importing only @trpc/server; the one server type
// left is the request context, which clients never see. This emits that declaration from the
// api's source, replaces the context with `object`, drops the server-side `createCaller`, and
// refuses to write anything that still imports something other than @trpc/server.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const clientDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const apiDir = join(clientDir, '..', 'api');
const routerSource = join(apiDir, 'src', 'router.ts');
const target = join(clientDir, 'dist', 'contract.d.ts');

const fail = (message) => {
  console.error(`standalone-contract: ${message}`);
  process.exit(1);
};

const parsed = ts.getParsedCommandLineOfConfigFile(
  join(apiDir, 'tsconfig.build.json'),
  // The workspace packages from source, so no other package needs to be built first.
  {
    customConditions: ['@taskwire/source'],
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    noEmit: false,
  },
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')) },
);
const program = ts.createProgram({ rootNames: [routerSource], options: parsed.options });
let emitted;
const result = program.emit(
  program.getSourceFile(routerSource),
  (fileName, text) => {
    if (fileName.endsWith('router.d.ts')) emitted = text;
  },
  undefined,
  true,
);
const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
  (d) => d.category === ts.DiagnosticCategory.Error,
);
if (errors.length)
  fail(ts.formatDiagnostics(errors, { ...ts.sys, getCanonicalFileName: (f) => f, getNewLine: () => '\n' }));
if (!emitted) fail(`no declaration emitted for ${routerSource}`);

const CALLER = emitted.indexOf('/** Calls procedures directly');
if (CALLER < 0) fail('router.d.ts changed shape: createCaller not found (update this script)');
let contract = emitted
  .slice(0, CALLER)
  // The request context is the server's; a client's AppRouter only needs it to be an object.
  .replaceAll('import("./context.js").Context', 'object')
  // AppRouter is `typeof appRouter`; the value itself is the server's.
  .replace('export declare const appRouter:', 'declare const appRouter:')
  // A subscription's tracked events: tRPC's TrackedData, which only its unstable entry exports.
  .replaceAll('import("@trpc/server/unstable-core-do-not-import").TrackedData', 'TrackedData')
  .trimEnd();
if (contract.includes('TrackedData<')) {
  contract = `/** A tracked event as a subscriber receives it (tRPC's TrackedData). */\ninterface TrackedData<TData> {\n    id: string;\n    data: TData;\n}\n${contract}`;
}

const imports = [...contract.matchAll(/import\("([^"]+)"\)|from '([^']+)'/g)].map((m) => m[1] ?? m[2]);
const foreign = [...new Set(imports.filter((specifier) => specifier !== '@trpc/server'))];
if (foreign.length) fail(`the contract would import ${foreign.join(', ')}; only @trpc/server may be imported`);
for (const name of ['export type AppRouter', 'export type RouterInputs', 'export type RouterOutputs']) {
  if (!contract.includes(name)) fail(`"${name}" is missing from the contract`);
}

contract = `// Generated from @taskwire/api's router by scripts/standalone-contract.mjs. Do not edit.\n${contract}\n`;
if (readFileSync(target, 'utf8') === contract) process.exit(0);
writeFileSync(target, contract);
