import { quantile } from '../stats.js';
import { mutate, signUp, timed } from './http.js';

// Sign-in timing, once asserted by security/abuse.test.ts (now proved by mechanism in
// apps/server/test/security/password-hashing.test.ts): an unknown email against a wrong password,
// and a victim's sign-in while three accounts hash flat out against the same sign-in idle.

const PASSWORD = 'correct horse battery';

/** Medians of interleaved sign-ins with a wrong password and with an unknown email. */
export async function unknownVersusWrong(url: string, samples: number) {
  const { email } = await signUp(url, PASSWORD);
  const unknown = `unknown-${crypto.randomUUID()}@example.com`;
  const signIn = (address: string) => mutate(url, 'auth.signIn', { email: address, password: 'wrong password' });
  // Warm-up, which also makes the dummy hash unknown emails are checked against.
  for (let i = 0; i < 5; i++) await Promise.all([signIn(email), signIn(unknown)]);
  const wrong: number[] = [];
  const missing: number[] = [];
  // Interleaved, so drift on a noisy machine hits both sides alike.
  for (let i = 0; i < samples; i++) {
    wrong.push(await timed(() => signIn(email)));
    missing.push(await timed(() => signIn(unknown)));
  }
  return { wrong: quantile(wrong, 0.5), unknown: quantile(missing, 0.5) };
}

/** A victim's sign-in p99, idle (half before, half after) and while three accounts change passwords flat out. */
export async function victimUnderAttack(url: string, samples: number) {
  const victim = await signUp(url, PASSWORD);
  const timedSignIns = async (count: number) => {
    const durations: number[] = [];
    for (let i = 0; i < count; i++) {
      durations.push(await timed(() => mutate(url, 'auth.signIn', { email: victim.email, password: PASSWORD })));
    }
    return durations;
  };
  await timedSignIns(5);
  const idle = await timedSignIns(samples / 2);

  const hostile = await Promise.all([1, 2, 3].map(() => signUp(url, PASSWORD)));
  const change = { currentPassword: PASSWORD, newPassword: PASSWORD };
  const batch = JSON.stringify(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [i, change])));
  let hammering = true;
  let hostileCalls = 0;
  // Each account keeps 4 batches of 20 password changes (with its right password) in flight.
  const loops = hostile.flatMap(({ token }) =>
    Array.from({ length: 4 }, async () => {
      while (hammering) {
        const response = await fetch(`${url}/trpc/${Array(20).fill('auth.changePassword').join(',')}?batch=1`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: batch,
        });
        await response.arrayBuffer();
        hostileCalls += 20;
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const attacked = await timedSignIns(samples);
  hammering = false;
  await Promise.all(loops);
  idle.push(...(await timedSignIns(samples / 2)));
  return { idle: quantile(idle, 0.99), attacked: quantile(attacked, 0.99), hostileCalls };
}
