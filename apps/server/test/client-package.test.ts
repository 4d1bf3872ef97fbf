import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';

// The published client, as a frontend outside the monorepo gets it: packed, installed with npm
// into an empty project with only what it declares, compiled by tsc in strict mode, and run.

const run = promisify(execFile);
const repoRoot = new URL('../../../', import.meta.url).pathname;
const fixtures = new URL('./client-consumer/', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// What must never reach a frontend's tree.
const SERVER_PACKAGES = [
  'pg',
  '@electric-sql/pglite',
  '@node-rs/argon2',
  'argon2',
  'kysely',
  'fastify',
  'ioredis',
  'pino',
  'jose',
  '@taskwire/api',
  '@taskwire/db',
];

const running = useTestServer();
let work: string;
let tarball: string;

async function npmInstall(dir: string, packages: string[]): Promise<void> {
  // The registry, with npm's cache first; no scripts: a frontend's install runs none of ours.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packages], {
    cwd: dir,
    timeout: 180_000,
  });
}

/** Every package installed under `dir`, as name@version, nested ones included. */
async function installedPackages(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(modules: string): Promise<void> {
    const entries = await readdir(modules, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const paths = entry.name.startsWith('@')
        ? (await readdir(join(modules, entry.name))).map((name) => join(modules, entry.name, name))
        : [join(modules, entry.name)];
      for (const path of paths) {
        const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8').catch(() => '{}'));
        if (manifest.name) found.push(`${manifest.name}@${manifest.version}`);
        await walk(join(path, 'node_modules'));
      }
    }
  }
  await walk(join(dir, 'node_modules'));
  return found.sort();
}

async function project(name: string, files: string[]): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  for (const file of files) await cp(join(fixtures, file), join(dir, file));
  return dir;
}

async function typecheck(dir: string, options: Record<string, unknown>, files: string[]) {
  const config = {
    compilerOptions: {
      strict: true,
      target: 'ES2022',
      // tRPC's own declarations use fetch's types and Disposable.
      lib: ['ES2022', 'DOM', 'ESNext.Disposable'],
      types: [],
      noEmit: true,
      ...options,
    },
    files,
  };
  const configFile = join(dir, `tsconfig.${Object.values(options).join('-')}.json`);
  await writeFile(configFile, JSON.stringify(config));
  const { stdout } = await run(process.execPath, [tsc, '-p', configFile, '--listFilesOnly'], { cwd: dir });
  const loaded = stdout.trim().split('\n');
  // --listFilesOnly skips checking: now the real compile, which must be clean.
  const result = await run(process.execPath, [tsc, '-p', configFile], { cwd: dir }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  return { loaded, errors: result, configFile };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'taskwire-client-consumer-'));
  await run('pnpm', ['--filter', '@taskwire/client', 'pack', '--pack-destination', work], {
    cwd: repoRoot,
    timeout: 120_000,
  });
  const packed = (await readdir(work)).find((file) => file.endsWith('.tgz'));
  if (!packed) throw new Error('pnpm pack wrote no tarball');
  tarball = join(work, packed);
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed client in a project outside the monorepo', () => {
  it('packs clean: dist and README only, no source conditions or maps, publishable versions', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/contract.d.ts');
    expect(files).toContain('package/README.md');
    expect(
      files.filter((file) => !/^package\/(dist\/[\w-]+\.(js|d\.ts)|package\.json|README\.md)$/.test(file)),
    ).toEqual([]);
    const manifest = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout);
    expect(JSON.stringify(manifest.exports)).not.toContain('@taskwire/source');
    expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:/);
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies)).toEqual(['@trpc/client', '@trpc/server']);
    for (const range of Object.values(manifest.peerDependencies)) expect(range).toMatch(/^\^11\./);
  });

  it('gives complete types with only @trpc/client and @trpc/server, installs no server package, and works against a live server', async () => {
    const dir = await project('consumer', ['consumer.ts']);
    await npmInstall(dir, [tarball, '@trpc/client@^11', '@trpc/server@^11']);
    const installed = await installedPackages(dir);
    const names = installed.map((pkg) => pkg.slice(0, pkg.lastIndexOf('@')));
    expect(names.filter((name) => SERVER_PACKAGES.includes(name))).toEqual([]);
    expect(names).toContain('@taskwire/client');
    const { stdout: size } = await run('du', ['-sk', join(dir, 'node_modules')]);

    const variants = [
      { module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: true },
      { module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: false },
      { module: 'Node16', moduleResolution: 'Node16', skipLibCheck: true },
      { module: 'Node16', moduleResolution: 'Node16', skipLibCheck: false },
    ];
    let nodeConfig = '';
    for (const variant of variants) {
      const { loaded, errors, configFile } = await typecheck(dir, variant, ['consumer.ts']);
      if (variant.module === 'Node16') nodeConfig = configFile;
      expect(errors, JSON.stringify(variant)).toBe('');
      expect(loaded.filter((file) => SERVER_PACKAGES.some((name) => file.includes(`/node_modules/${name}/`)))).toEqual(
        [],
      );
      if (variant.moduleResolution === 'Bundler' && !variant.skipLibCheck) {
        console.info(
          `consumer: ${installed.length} packages (${installed.join(', ')}), node_modules ${size.split('\t')[0]} KiB, tsc loads ${loaded.length} files`,
        );
      }
    }

    // Compiled as Node would run it, then run against this test's server.
    await run(process.execPath, [tsc, '-p', nodeConfig, '--noEmit', 'false', '--outDir', 'out'], {
      cwd: dir,
    });
    const consumer = await import(pathToFileURL(join(dir, 'out', 'consumer.js')).href);
    const result = await consumer.run(`${running.server.url}/trpc`);
    expect(result).toEqual({
      created: { title: 'from the packed client', priority: 'high', tags: ['outside'] },
      titles: ['from the packed client'],
      missing: 'NOT_FOUND',
    });

    // A shared project end to end, with Node's EventSource polyfill as a browser's own.
    const shared = await consumer.share(`${running.server.url}/trpc`, EventSource);
    expect(shared).toEqual({
      invitation: { projectName: 'Shared from outside', invitedBy: shared.ownerEmail, role: 'editor' },
      joined: { id: true, name: 'Shared from outside', role: 'editor', memberCount: 2 },
      titles: ['before the invitee joined'],
      members: ['owner:owner', 'invitee:editor'],
      projectEvents: ['invitation.received', 'member.added (invitee)'],
      createdInProject: true,
      ownerEmail: expect.stringMatching(/^owner-/),
    });
  }, 300_000);

  it("runs the README's quick start as written, in Node 24, installed from the tarball the README packs", async () => {
    const readme = await readFile(join(repoRoot, 'packages/client/README.md'), 'utf8');
    const install = /```sh\n([^`]*pnpm --filter @taskwire\/client pack[^`]*)```/.exec(readme)?.[1] ?? '';
    const tarballInReadme = /npm install (\S+\.tgz)/.exec(install)?.[1] ?? '';
    // The README's path is where its pack command writes: the same file name as this test's pack.
    expect(tarballInReadme.split('/').pop()).toBe(tarball.split('/').pop());
    const snippet = /```js\n\/\/ quick-start\.mjs\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const dir = await project('readme', []);
    await npmInstall(dir, [tarball, '@trpc/client@^11', '@trpc/server@^11']);
    // The account the snippet signs in with, and the snippet pointed at this test's server.
    await running.server.client().auth.signUp.mutate({ email: 'ada@example.com', password: 'correct horse battery' });
    const script = (snippet ?? '').replace('http://127.0.0.1:3000', running.server.url);
    expect(script).not.toBe(snippet);
    await writeFile(join(dir, 'quick-start.mjs'), script);
    const { stdout } = await run(process.execPath, ['quick-start.mjs'], { cwd: dir, timeout: 60_000 });
    expect(stdout.trim()).toBe("[ 'Try Taskwire (high)' ]");
  }, 300_000);

  it("installs beside @trpc/tanstack-react-query's newest release with one @trpc/client, and the README's TanStack setup compiles", async () => {
    const dir = await project('tanstack', ['tanstack.tsx']);
    await npmInstall(dir, [tarball, '@trpc/tanstack-react-query', '@tanstack/react-query', 'react', '@types/react']);
    const installed = await installedPackages(dir);
    const copies = (name: string) => installed.filter((pkg) => pkg.startsWith(`${name}@`));
    expect(copies('@trpc/client')).toHaveLength(1);
    expect(copies('@trpc/server')).toHaveLength(1);
    const { errors } = await typecheck(
      dir,
      { module: 'ESNext', moduleResolution: 'Bundler', jsx: 'react-jsx', skipLibCheck: true },
      ['tanstack.tsx'],
    );
    expect(errors).toBe('');
    console.info(`tanstack consumer: ${copies('@trpc/tanstack-react-query')[0]} with ${copies('@trpc/client')[0]}`);
  }, 300_000);
});
