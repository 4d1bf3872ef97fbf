import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../src/config/env.js';
import { resolveJwtSecret } from '../src/config/jwt-secret.js';

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: resolve('.data'),
      JWT_ISSUER: 'taskwire',
      JWT_AUDIENCE: 'taskwire-api',
      ACCESS_TOKEN_TTL: 900,
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      BODY_LIMIT: 1024 * 1024,
      MAX_BATCH_SIZE: 20,
      REQUEST_TIMEOUT: 30_000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.JWT_SECRET).toBeUndefined();
  });

  it('parses durations, booleans and a Postgres URL, and treats empty values as unset', () => {
    const env = loadEnv({
      ACCESS_TOKEN_TTL: '1h',
      MIGRATE_ON_START: 'false',
      DATABASE_URL: 'postgres://u:p@db:5432/taskwire',
      DATA_DIR: '/abs/data',
      JWT_SECRET: '',
    });
    expect(env.ACCESS_TOKEN_TTL).toBe(3600);
    expect(env.MIGRATE_ON_START).toBe(false);
    expect(env.DATABASE_URL).toBe('postgres://u:p@db:5432/taskwire');
    expect(env.DATA_DIR).toBe('/abs/data');
    expect(env.JWT_SECRET).toBeUndefined();
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('parses CORS_ORIGINS and TRUST_PROXY the way Fastify takes them', () => {
    expect(loadEnv({}).CORS_ORIGINS).toContain('http://localhost:5173');
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32) }).CORS_ORIGINS).toEqual([]);
    expect(loadEnv({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(loadEnv({}).TRUST_PROXY).toBe(false);
    expect(loadEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadEnv({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });

  it('takes request limits within sane bounds', () => {
    expect(loadEnv({ BODY_LIMIT: '65536', MAX_BATCH_SIZE: '5', REQUEST_TIMEOUT: '5000' })).toMatchObject({
      BODY_LIMIT: 65_536,
      MAX_BATCH_SIZE: 5,
      REQUEST_TIMEOUT: 5_000,
    });
    expect(() => loadEnv({ MAX_BATCH_SIZE: '0' })).toThrow(/MAX_BATCH_SIZE/);
    expect(() => loadEnv({ BODY_LIMIT: '10' })).toThrow(/BODY_LIMIT/);
  });

  it('refuses a stream stall timeout that quiet streams would trip between two pings', () => {
    expect(() => loadEnv({ STREAM_STALL_TIMEOUT: '5000' })).toThrow(/STREAM_STALL_TIMEOUT: must be longer than/);
    expect(() => loadEnv({ STREAM_STALL_TIMEOUT: '20000' })).toThrow(/STREAM_STALL_TIMEOUT/);
    expect(loadEnv({ STREAM_STALL_TIMEOUT: '25000' }).STREAM_STALL_TIMEOUT).toBe(25_000);
  });

  it('takes PUBLIC_ORIGIN as an origin only', () => {
    expect(loadEnv({ PUBLIC_ORIGIN: 'https://tasks.example.com' }).PUBLIC_ORIGIN).toBe('https://tasks.example.com');
    expect(() => loadEnv({ PUBLIC_ORIGIN: 'https://tasks.example.com/app' })).toThrow(/PUBLIC_ORIGIN/);
    expect(() => loadEnv({ PUBLIC_ORIGIN: 'tasks.example.com' })).toThrow(/PUBLIC_ORIGIN/);
  });

  it('names every bad variable in one readable error', () => {
    const attempt = () =>
      loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ACCESS_TOKEN_TTL: 'forever', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(EnvError);
    expect(attempt).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*ACCESS_TOKEN_TTL[\s\S]*LOG_LEVEL/);
  });

  it('refuses production without a JWT_SECRET of at least 32 bytes', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32) }).JWT_SECRET).toHaveLength(32);
  });

  it('checks the auth limits and identity provider settings', () => {
    expect(loadEnv({})).toMatchObject({
      RATE_LIMIT_AUTH_PER_MINUTE: 30,
      RATE_LIMIT_FAILED_SIGNINS_PER_HOUR: 100,
      AUTH_CHECK_CACHE_MS: 10_000,
    });
    // OWASP ASVS: no more than 100 failed attempts per account and hour.
    expect(() => loadEnv({ RATE_LIMIT_FAILED_SIGNINS_PER_HOUR: '101' })).toThrow(/RATE_LIMIT_FAILED_SIGNINS_PER_HOUR/);
    expect(() => loadEnv({ AUTH_JWKS_URL: 'https://idp.example/jwks.json' })).toThrow(/AUTH_ISSUER/);
    expect(() => loadEnv({ AUTH_SHARED_SECRET: 'short' })).toThrow(/AUTH_SHARED_SECRET/);
    // Keys over plain HTTP only in development, or from this machine.
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), AUTH_ISSUER: 'https://idp.example' };
    expect(() => loadEnv({ ...production, AUTH_JWKS_URL: 'http://idp.example/jwks.json' })).toThrow(
      /AUTH_JWKS_URL: must be https in production/,
    );
    // Not a URL: a config error naming the variable, not a crash in the production check.
    expect(() => loadEnv({ ...production, AUTH_JWKS_URL: 'idp.example/jwks.json' })).toThrow(EnvError);
    expect(() => loadEnv({ ...production, AUTH_JWKS_URL: 'idp.example/jwks.json' })).toThrow(/AUTH_JWKS_URL/);
    expect(loadEnv({ ...production, AUTH_JWKS_URL: 'http://127.0.0.1:9000/jwks.json' }).AUTH_JWKS_URL).toBe(
      'http://127.0.0.1:9000/jwks.json',
    );
    expect(loadEnv({ AUTH_ISSUER: 'https://idp.example', AUTH_JWKS_URL: 'http://idp.example/jwks.json' })).toBeTruthy();
    const shared = 's'.repeat(40);
    expect(() => loadEnv({ AUTH_SHARED_SECRET: shared, JWT_SECRET: shared })).toThrow(/must differ from JWT_SECRET/);
    expect(
      loadEnv({ AUTH_JWKS_URL: 'https://idp.example/jwks.json', AUTH_ISSUER: 'https://idp.example' }).AUTH_ISSUER,
    ).toBe('https://idp.example');
  });
});

describe('resolveJwtSecret', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const log = pino({ level: 'silent' });

  it('uses JWT_SECRET when set', async () => {
    expect(await resolveJwtSecret({ JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/nonexistent' }, log)).toBe('x'.repeat(40));
  });

  it('generates a development secret once, persists it privately, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskwire-secret-'));
    dirs.push(dir);
    const dataDir = join(dir, 'nested');
    const first = await resolveJwtSecret({ JWT_SECRET: undefined, DATA_DIR: dataDir }, log);
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim()).toBe(first);
    expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
    expect(await resolveJwtSecret({ JWT_SECRET: undefined, DATA_DIR: dataDir }, log)).toBe(first);
  });
});
