import { createRequire } from 'node:module';

// 41 622 passwords of at least 8 characters that appear in breach corpora (the zxcvbn list, as
// packaged by `popular-passwords`), lower-case. Loaded on first use, then kept as a Set.
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(createRequire(import.meta.url)('popular-passwords') as string[]);
  return common;
}

/** Whether a password is on the common list, ignoring case ("Password1" counts as "password1"). */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** How many passwords the list holds (documented and tested to be at least 10 000). */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}
