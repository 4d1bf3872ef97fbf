import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

// The names a doc writes in `code spans`, sorted by what they name, for docs-drift.test.ts. Which
// spans count is decided by their shape, so prose, SQL, HTTP paths and values stay out by design:
//
//   file        ends in a source extension (.ts, .md, .json …): `trpc/register-trpc.ts`
//   folder      ends in a slash: `rate-limit/`
//   package     a scoped package, or a condition in a package's exports: `@taskwire/db/testing`
//   procedure   <router>.<procedure> of the app router: `task.list`
//   constant    CONSTANT_CASE with an underscore, alone or as NAME=value: `REDIS_URL`, `NODE_ENV=production`
//   identifier  camelCase or PascalCase, maybe called or at the end of a member chain:
//               `createContext`, `createDb()`, `TRPCError`, `z.flattenError`
//
// Spans with spaces, starting with `/` (a URL path), holding < > { } ? * ~ (templates, globs), or
// a bare extension (`.d.ts`: a kind of file) name nothing. Fenced code blocks are examples and are left out. Links to local files count as files.

export const root = new URL('../../../', import.meta.url).pathname;

const git = (args: string[], input?: string) => {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8', input });
  // check-ignore exits 1 when nothing is ignored.
  if (result.status !== 0 && !(args[0] === 'check-ignore' && result.status === 1)) {
    throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  }
  return result.stdout.split('\n').filter(Boolean);
};

/** The repository's files: tracked, or new and not ignored. */
export const repositoryFiles = git(['ls-files', '--cached', '--others', '--exclude-standard']);

/** Those of `paths` that git ignores: build output and data (`dist/`, `.data/`), named but never in the repository. */
export const ignoredPaths = (paths: string[]) => new Set(git(['check-ignore', '--stdin'], paths.join('\n')));

const SOURCE = /\.(ts|tsx|mts|js|mjs|cjs)$/;
const FILE = /\.(ts|tsx|mts|js|mjs|cjs|json|md|yaml|yml|sql|css|html|py|lua|sh)$/;
const CONSTANT = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=\S*)?$/;
const IDENTIFIER = /^(?:[A-Za-z_$][\w$]*\.)*((?:[a-z][a-z0-9]*[A-Z]|[A-Z][A-Z0-9]*[a-z])[\w$]*)(?:\(.*\))?$/;

export type Kind = 'file' | 'folder' | 'package' | 'procedure' | 'constant' | 'identifier';
export interface Name {
  kind: Kind;
  /** As written (a link's target is resolved against the doc's folder). */
  text: string;
  /** What is looked up: the path, or the identifier itself. */
  name: string;
}

/** The names `doc` (a path from the repository root) writes, by the convention above. */
export function namesIn(doc: string, routers: string[]): Name[] {
  const prose = readFileSync(join(root, doc), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const names: Name[] = [];
  for (const [, span = ''] of prose.matchAll(/`([^`\n]+)`/g)) {
    const text = span.trim();
    const name = classify(text, routers);
    if (name) names.push(name);
  }
  for (const [, target = ''] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
    const path = normalize(join(dirname(doc), target.split('#')[0] ?? ''));
    names.push({ kind: 'file', text: target, name: path });
  }
  return names;
}

function classify(text: string, routers: string[]): Name | undefined {
  if (/[\s<>{}?*~]/.test(text) || text.startsWith('/') || /^\.[^/]*$/.test(text)) return undefined;
  if (text.startsWith('@')) return { kind: 'package', text, name: text.split('/').slice(0, 2).join('/') };
  if (text.endsWith('/')) return { kind: 'folder', text, name: text };
  if (FILE.test(text)) return { kind: 'file', text, name: text };
  const [router, procedure, ...rest] = text.split('.');
  if (router && procedure && rest.length === 0 && routers.includes(router))
    return { kind: 'procedure', text, name: text };
  const constant = CONSTANT.exec(text)?.[1];
  if (constant) return { kind: 'constant', text, name: constant };
  const identifier = IDENTIFIER.exec(text)?.[1];
  if (identifier) return { kind: 'identifier', text, name: identifier };
  return undefined;
}

/**
 * Every word of the repository's source code (not its docs, not .env.example), for identifier
 * lookups, and every dotted name the code quotes (`'task.created'`: event types, which read like
 * procedures).
 */
export function sourceWords(): Set<string> {
  const words = new Set<string>();
  for (const file of repositoryFiles.filter((path) => SOURCE.test(path))) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [word] of text.matchAll(/[A-Za-z_$][\w$]*/g)) words.add(word);
    for (const [, dotted = ''] of text.matchAll(/['"`]([a-z]+\.[a-z][A-Za-z]*)['"`]/g)) words.add(dotted);
  }
  return words;
}
