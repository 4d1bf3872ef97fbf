import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { createFairSlots } from './fair-slots.js';

// OWASP's argon2id baseline, set explicitly: @node-rs/argon2's defaults are weaker.
// `Algorithm` is a const enum that isolated modules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// argon2 runs on libuv's thread pool (4 threads), off the event loop, but each hash still takes a
// core for tens of milliseconds. Running at most cores − 1 at once leaves a core for everything
// else, so a burst of sign-ins slows sign-ins instead of every other request; and the slots are
// shared fairly between accounts (`account`: an email or user id), so one account's burst makes
// another's sign-in wait for the hashes already running, not for the whole burst.
const hashing = createFairSlots(Math.max(1, availableParallelism() - 1));

/** Hashes a password with argon2id, off the event loop, in `account`'s fair share of the slots. */
export function hashPassword(password: string, account: string): Promise<string> {
  return hashing.run(account, () => hash(password, OPTIONS));
}

// A hash of a random string, verified against when the email is unknown, so that an unknown
// email costs the same argon2 work as a wrong password and timing does not reveal accounts.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash, or burns the same time against a dummy when there is
 * none, in `account`'s fair share of the slots.
 */
export async function verifyPassword(
  storedHash: string | undefined,
  password: string,
  account: string,
): Promise<boolean> {
  if (storedHash === undefined) {
    // A failed attempt is not kept, or every later unknown email would fail the same way.
    dummyHash ??= hash(randomUUID(), OPTIONS).catch((error: unknown) => {
      dummyHash = undefined;
      throw error;
    });
    const dummy = await dummyHash;
    await hashing.run(account, () => verify(dummy, password)).catch(() => false);
    return false;
  }
  return hashing.run(account, () => verify(storedHash, password)).catch(() => false);
}
