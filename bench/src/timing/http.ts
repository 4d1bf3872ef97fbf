// Raw HTTP calls to the server under test, as the timing tests made them.

/** POSTs one tRPC mutation; its status and the result's data. */
export async function mutate(url: string, path: string, input: unknown, token?: string) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data?: unknown } };
  return { status: response.status, data: body.result?.data };
}

/** Signs up a new account; its email and access token. */
export async function signUp(url: string, password: string): Promise<{ email: string; token: string }> {
  const email = `timing-${crypto.randomUUID()}@example.com`;
  const { status, data } = await mutate(url, 'auth.signUp', { email, password });
  if (status !== 200) throw new Error(`sign-up answered ${status}`);
  return { email, token: (data as { accessToken: string }).accessToken };
}

/** How long `run` takes, in ms. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}
