import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { appRouter } from '@taskwire/api';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../src/index.js';
import { ignoredPaths, type Name, namesIn, repositoryFiles, root, sourceWords } from './doc-names.js';

// Docs that cannot drift: every name the architecture doc, the README and every other doc in docs/
// write must exist in the repository as it is (doc-names.ts says which code spans count as names,
// and why), and every variable the server's env.ts reads must be documented. A file moved or renamed fails here until
// the doc says where it went. The file list and the manifests are inputs of this package's test
// task (apps/server/turbo.json, besides its dependencies' files), so turbo reruns it when they change.

const DOCS = ['docs/architecture.md', 'README.md'];
/** The other docs: their names are checked the same way (the domain list is the two above's). */
const OTHER_DOCS = repositoryFiles.filter((file) => /^docs\/[^/]+\.md$/.test(file) && !DOCS.includes(file)).sort();
/**
 * Names those docs write that are not this repository's code, and cannot be: what a user types
 * (quick add's `@label`), other systems' names, and Node's and dependencies' functions as a CPU
 * profile names them. Anything else a doc writes must exist.
 */
const NOT_OURS: Record<string, string[]> = {
  'docs/api.md': ['fetchPreviousPage', 'getPreviousPageParam', '@work'],
  'docs/deploy.md': ['preStop', 'terminationGracePeriodSeconds'],
  'docs/integrations.md': ['@labels'],
  'docs/mcp.md': ['claude_desktop_config.json', '@project'],
  'docs/performance.md': [
    'Hmac',
    'addFields',
    'parseDate',
    'parseRow',
    'runMicrotasks',
    'utf8Slice',
    'writeUtf8String',
    'ReadableStream',
    '@fastify/helmet',
  ],
  'docs/security.md': ['@fastify/rate-limit', 'createRateLimit'],
};
const routers = [...new Set(Object.keys(appRouter._def.procedures).map((path) => path.split('.')[0] ?? ''))];
const procedures = new Set(Object.keys(appRouter._def.procedures));
const words = sourceWords();
const folders = new Set(
  repositoryFiles.flatMap((file) =>
    file
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);
/** Workspace packages by their short name (`server`, `api` …): `server/live/x.ts` means apps/server/src/live/x.ts. */
const packageDirs = new Map(
  repositoryFiles
    .filter((file) => /^(apps|packages)\/[^/]+\/package\.json$/.test(file))
    .map((file) => [basename(file.slice(0, -'/package.json'.length)), file.slice(0, -'/package.json'.length)]),
);
/** Every key of a package's exports map, nested conditions included. */
const exportKeys = (exports: unknown): string[] =>
  typeof exports === 'object' && exports !== null
    ? Object.entries(exports).flatMap(([key, value]) => [key, ...exportKeys(value)])
    : [];
/** Packages this repository is or depends on, and the export conditions it declares. */
const packageNames = new Set(
  repositoryFiles
    .filter((file) => file.endsWith('package.json'))
    .flatMap((file) => {
      const manifest = JSON.parse(readFileSync(join(root, file), 'utf8'));
      const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
      return [manifest.name, ...dependencies, ...exportKeys(manifest.exports)];
    }),
);

/** The path itself and, when it starts with a package's short name, that package's src/ instead. */
function spellings(path: string): string[] {
  const [first, ...rest] = path.split('/');
  const dir = first === undefined ? undefined : packageDirs.get(first);
  return dir && rest.length > 0 ? [path, [`${dir}/src`, ...rest].join('/')] : [path];
}

/** A path exists when a repository file (or folder) is it or ends with it, segment for segment. */
function pathExists(path: string, kind: 'file' | 'folder'): boolean {
  const candidates = kind === 'file' ? repositoryFiles : [...folders];
  return spellings(path.replace(/\/$/, '')).some((spelling) =>
    candidates.some((candidate) => candidate === spelling || candidate.endsWith(`/${spelling}`)),
  );
}

function exists({ kind, name }: Name): boolean {
  // A package named like a file (`ical.js`) is a package.
  if (kind === 'file' && packageNames.has(name)) return true;
  if (kind === 'file' || kind === 'folder') return pathExists(name, kind);
  if (kind === 'package') return packageNames.has(name);
  if (kind === 'procedure') return procedures.has(name) || words.has(name);
  return words.has(name);
}

/** The names `doc` writes that do not exist, as `kind \`text\``. */
function missingNames(doc: string): string[] {
  const notOurs = new Set(NOT_OURS[doc] ?? []);
  const missing = namesIn(doc, routers).filter((name) => !exists(name) && !notOurs.has(name.name));
  // Build output and data (dist/, .data/…) are named but never in the repository.
  const ignored = ignoredPaths(
    missing.filter((name) => name.kind === 'file' || name.kind === 'folder').map((name) => name.name),
  );
  return missing.filter((name) => !ignored.has(name.name)).map(({ kind, text }) => `${kind} \`${text}\``);
}

describe.each(OTHER_DOCS)('%s', (doc) => {
  it('names only files, folders, packages, procedures, identifiers and variables that exist', () => {
    expect(missingNames(doc)).toEqual([]);
  });

  it('needs every exception it lists', () => {
    const written = new Set(namesIn(doc, routers).map((name) => name.name));
    expect((NOT_OURS[doc] ?? []).filter((name) => !written.has(name))).toEqual([]);
  });
});

describe.each(DOCS)('%s', (doc) => {
  it('names only files, folders, packages, procedures, identifiers and variables that exist', () => {
    expect(missingNames(doc)).toEqual([]);
  });

  it('lists every domain folder of packages/api (a folder with a router.ts)', () => {
    const domains = repositoryFiles
      .map((file) => /^packages\/api\/src\/([^/]+)\/router\.ts$/.exec(file)?.[1])
      .filter((domain): domain is string => domain !== undefined);
    expect(domains.length).toBeGreaterThan(0);
    // In a code span or in a fenced map alike: `auth/`, (auth/, …
    const text = readFileSync(join(root, doc), 'utf8');
    expect(domains.filter((domain) => !new RegExp(`[\\s(\`,]${domain}/[\\s)\`,]`).test(text))).toEqual([]);
  });
});

describe('the variables env.ts reads', () => {
  // Every key the server's schema reads, recorded as it reads them from an empty environment.
  const read = new Set<string>();
  const record = (key: string | symbol) => {
    if (typeof key === 'string') read.add(key);
  };
  const recording = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => void record(key),
    has: (_target, key) => {
      record(key);
      return false;
    },
  });
  loadEnv(recording);
  const variables = [...read].sort();

  it('are read at all (the recording works)', () => {
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'NODE_ENV', 'PORT']));
  });

  it('are each documented in docs/configuration.md', () => {
    const configuration = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    expect(variables.filter((variable) => !configuration.includes(`\`${variable}\``))).toEqual([]);
  });

  it('are each in .env.example, set or as a commented-out example', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    expect(variables.filter((variable) => !new RegExp(`^#? ?${variable}=`, 'm').test(example))).toEqual([]);
  });
});
