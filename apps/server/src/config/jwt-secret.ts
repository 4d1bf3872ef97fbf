import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from './env.js';

const SECRET_FILE = 'jwt-secret';

/**
 * The HS256 signing secret. Production must set JWT_SECRET (env.ts enforces it). In development
 * a random one is generated once and kept in DATA_DIR, so tokens survive restarts.
 */
export async function resolveJwtSecret(env: Pick<Env, 'JWT_SECRET' | 'DATA_DIR'>, log: Logger): Promise<string> {
  if (env.JWT_SECRET) {
    if (Buffer.byteLength(env.JWT_SECRET) < 32) log.warn('JWT_SECRET is shorter than 32 bytes; production refuses it');
    return env.JWT_SECRET;
  }
  const path = join(env.DATA_DIR, SECRET_FILE);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(48).toString('base64url');
  await mkdir(env.DATA_DIR, { recursive: true });
  try {
    // 'wx': only one process creates it; another starting at the same moment reads the winner's.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(path, 'utf8')).trim();
  }
  log.warn({ path }, 'JWT_SECRET is not set: generated a development secret; set JWT_SECRET in production');
  return secret;
}
