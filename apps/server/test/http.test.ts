import { connect } from 'node:net';
import {
  type AppRouter,
  authorizationHeaders,
  createTaskwireClient,
  refreshLink,
  TRPCClientError,
} from '@taskwire/client';
import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { eventually, startServer, useTestServer } from './harness.js';

const running = useTestServer();

const errorOf = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(TRPCClientError);
      return error as TRPCClientError<AppRouter>;
    },
  );

describe('through @taskwire/client against a listening server', () => {
  it('signs up, creates, lists, toggles and deletes', async () => {
    const anonymous = running.server.client();
    const { accessToken, user } = await anonymous.auth.signUp.mutate({
      email: 'e2e@example.com',
      password: 'e2e password',
    });
    let token: string | undefined = accessToken;
    const client = running.server.client(() => token);

    expect(await client.auth.me.query()).toEqual(user);
    const created = await client.task.create.mutate({ title: 'Write e2e test', description: 'through the client' });
    expect(created).toMatchObject({ title: 'Write e2e test', completed: false, version: 1 });

    // Two calls in one tick go out as one batched HTTP request.
    const [list, fetched] = await Promise.all([client.task.list.query(), client.task.get.query({ id: created.id })]);
    expect(list.items).toEqual([created]);
    expect(fetched).toEqual(created);

    const toggled = await client.task.toggle.mutate({ id: created.id });
    expect(toggled).toMatchObject({ completed: true, version: 2 });
    expect(typeof toggled.completedAt).toBe('string');

    expect(await client.task.delete.mutate({ id: created.id })).toEqual({ id: created.id });
    expect((await client.task.list.query()).items).toEqual([]);

    // The token source is read on every call: signing out locally stops access at once.
    token = undefined;
    expect((await errorOf(client.task.list.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('answers a bad token with UNAUTHORIZED (401)', async () => {
    const error = await errorOf(running.server.client('not-a-real-token').task.list.query());
    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(error.data?.httpStatus).toBe(401);
    const raw = await fetch(`${running.server.url}/trpc/task.list`, { headers: { authorization: 'Bearer nope' } });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    // A refused refresh token is not the access token's fault, even with one attached.
    const refresh = await fetch(`${running.server.url}/trpc/auth.refresh`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: 'not-a-refresh-token' }),
    });
    expect(refresh.status).toBe(401);
    expect(refresh.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('returns flattened field errors and the request id for invalid input, as BAD_REQUEST', async () => {
    const { accessToken } = await running.server
      .client()
      .auth.signUp.mutate({ email: 'shape@example.com', password: 'shape password' });
    const error = await errorOf(running.server.client(accessToken).task.create.mutate({ title: '' }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toMatch(/^Invalid input: title/);
    expect(error.data?.zodError).toMatchObject({ fieldErrors: { title: [expect.any(String)] } });
    expect(error.data?.requestId).toEqual(expect.any(String));
    expect(error.data).not.toHaveProperty('stack');
    expect(error.shape).not.toHaveProperty('data.stack');
  });

  it("answers another user's task id exactly like a missing one", async () => {
    const alice = await running.server
      .client()
      .auth.signUp.mutate({ email: 'alice@example.com', password: 'alice password' });
    const bob = await running.server
      .client()
      .auth.signUp.mutate({ email: 'bob@example.com', password: 'bob password' });
    const task = await running.server.client(alice.accessToken).task.create.mutate({ title: 'private' });
    const foreign = await errorOf(running.server.client(bob.accessToken).task.get.query({ id: task.id }));
    const missing = await errorOf(running.server.client(bob.accessToken).task.get.query({ id: crypto.randomUUID() }));
    expect(foreign.data?.code).toBe('NOT_FOUND');
    expect(foreign.message).toBe(missing.message);
    expect(foreign.data?.httpStatus).toBe(missing.data?.httpStatus);
  });
});

describe('plain HTTP', () => {
  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${running.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${running.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a valid x-request-id and replaces an unsafe one', async () => {
    const kept = await fetch(`${running.server.url}/healthz`, { headers: { 'x-request-id': 'trace-123.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-123.abc');
    const replaced = await fetch(`${running.server.url}/healthz`, {
      headers: { 'x-request-id': 'bad id\twith "quotes"' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over 1 MiB with 413 and a batch of more than 20 calls with 400', async () => {
    const big = await fetch(`${running.server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, requestId: expect.any(String) } },
    });

    const paths = Array.from({ length: 21 }, () => 'auth.me').join(',');
    const input = encodeURIComponent(JSON.stringify({}));
    const batch = await fetch(`${running.server.url}/trpc/${paths}?batch=1&input=${input}`);
    expect(batch.status).toBe(400);
  });

  it('takes configured body and batch limits (BODY_LIMIT, MAX_BATCH_SIZE)', async () => {
    const strict = await startServer(running.db, {
      http: { bodyLimitBytes: 4_096, maxBatchSize: 2 },
    });
    try {
      const body = (size: number) => JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(size) });
      const post = (size: number) =>
        fetch(`${strict.url}/trpc/auth.signIn`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body(size),
        });
      expect((await post(5_000)).status).toBe(413);
      // Under the limit it reaches the procedure (which refuses a 3 000-character password).
      expect((await post(3_000)).status).toBe(400);
      const batch = (calls: number) =>
        fetch(`${strict.url}/trpc/${Array.from({ length: calls }, () => 'auth.me').join(',')}?batch=1`);
      expect((await batch(3)).status).toBe(400);
      // Within the limit the calls run (and, with no token, answer 401).
      expect((await batch(2)).status).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('answers malformed JSON with 400 in the tRPC error shape', async () => {
    const response = await fetch(`${running.server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', httpStatus: 400 } } });
  });

  it('refuses __proto__ and constructor.prototype in a JSON body while parsing it, before any procedure', async () => {
    for (const body of [
      '{"email":"a@example.com","password":"password1","__proto__":{"admin":true}}',
      '{"email":"a@example.com","password":"password1","x":{"constructor":{"prototype":{"admin":true}}}}',
    ]) {
      const response = await fetch(`${running.server.url}/trpc/auth.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      // The parser's refusal, not the input schema's "Unrecognized key".
      expect(await response.json()).toMatchObject({ error: { message: 'Malformed JSON body' } });
    }
  });

  it('answers an unsupported content type with UNSUPPORTED_MEDIA_TYPE (415)', async () => {
    const response = await fetch(`${running.server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<signIn/>',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      error: {
        data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415, requestId: response.headers.get('x-request-id') },
      },
    });
  });

  it('names the request in an error raised before the request has a context', async () => {
    const response = await fetch(`${running.server.url}/trpc/task.list`, {
      headers: { 'trpc-accept': 'application/jsonl' },
    });
    expect(response.status).toBe(400);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(await response.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', requestId } } });
  });
});

describe('metrics', () => {
  it('counts requests by procedure and status, with latency, in-flight and Node metrics', async () => {
    await fetch(`${running.server.url}/trpc/task.list`);
    await fetch(`${running.server.url}/trpc/task.list,auth.me?batch=1&input=${encodeURIComponent('{}')}`);
    await fetch(`${running.server.url}/trpc/not.aProcedure`);
    const response = await fetch(`${running.server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/taskwire_requests_total\{procedure="task\.list",status="401"\} [1-9]/);
    expect(text).toMatch(/taskwire_requests_total\{procedure="auth\.me",status="401"\} [1-9]/);
    expect(text).toMatch(/taskwire_requests_total\{procedure="unknown",status="404"\} 1/);
    expect(text).toMatch(/taskwire_request_duration_seconds_bucket\{le="0\.005",procedure="task\.list",status="401"\}/);
    expect(text).toContain('taskwire_requests_in_flight');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('count a request the client aborted: in-flight returns to rest, and the access log has it', async () => {
    const lines: { msg: string; status?: number; url?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const server = await startServer(running.db, { logger });
    try {
      const inFlight = async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        return Number(/^taskwire_requests_in_flight (\d+)/m.exec(text)?.[1]);
      };
      const { port } = new URL(server.url);
      for (let i = 1; i <= 3; i++) {
        // A client that sends the headers and part of the body, then goes away: the server is
        // certainly serving it (waiting for the rest) when it does, however busy the machine is.
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => {});
        socket.write(
          'POST /trpc/auth.signUp HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"email":',
        );
        // In flight: this request and the metrics request that asks.
        expect(await eventually(async () => (await inFlight()) === 2, 10_000)).toBe(true);
        socket.destroy();
        expect(await eventually(async () => (await inFlight()) === 1, 10_000)).toBe(true);
      }
      const aborted = lines.filter((line) => line.url === '/trpc/auth.signUp');
      expect(aborted).toHaveLength(3);
      expect(aborted.every((line) => line.msg === 'request aborted' && line.status === 499)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('the client with a refresh token', () => {
  it('refreshes once on UNAUTHORIZED, retries, shares one refresh between concurrent calls, and hands over the new tokens', async () => {
    const signUp = await running.server
      .client()
      .auth.signUp.mutate({ email: 'refresh@example.com', password: 'refresh me' });
    const received: { refreshToken: string }[] = [];
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      // An access token the server will not accept (as if it had expired).
      token: 'expired.access.token',
      refreshToken: signUp.refreshToken,
      onTokens: (tokens) => {
        received.push(tokens);
      },
    });
    const first = client.task.list.query();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = client.auth.me.query();
    const [list, me] = await Promise.all([first, second]);
    expect(list.items).toEqual([]);
    expect(me.email).toBe('refresh@example.com');
    expect(received).toHaveLength(1);
    expect(received[0]?.refreshToken).not.toBe(signUp.refreshToken);
    // The next call uses the new access token directly.
    expect((await client.task.count.query()).valueOf()).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('makes calls that fail at the same moment, in separate requests, share one refresh', async () => {
    const signUp = await running.server
      .client()
      .auth.signUp.mutate({ email: 'shared@example.com', password: 'share one' });
    let refreshes = 0;
    let requests = 0;
    const counting: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('auth.refresh')) {
        refreshes++;
        // Keep the refresh in flight while the other calls come back 401.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } else {
        requests++;
      }
      return fetch(input, init);
    };
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: 'expired.access.token',
      refreshToken: signUp.refreshToken,
      fetch: counting,
    });
    const calls = [];
    for (let i = 0; i < 3; i++) {
      calls.push(client.task.count.query());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await Promise.all(calls)).toEqual([0, 0, 0]);
    expect(refreshes).toBe(1);
    // Three separate requests failed, then the retries, which the batch link may send together.
    expect(requests).toBeGreaterThanOrEqual(4);
    expect(requests).toBeLessThanOrEqual(6);
  });

  it('works as a link in a chain of your own (here: unbatched httpLink after a logging link)', async () => {
    const signUp = await running.server
      .client()
      .auth.signUp.mutate({ email: 'own-chain@example.com', password: 'my own links' });
    const seen: string[] = [];
    const logging: TRPCLink<AppRouter> =
      () =>
      ({ op, next }) => {
        seen.push(op.path);
        return next(op);
      };
    const store = { accessToken: 'expired.access.token', refreshToken: signUp.refreshToken };
    const client = createTRPCClient<AppRouter>({
      links: [
        logging,
        refreshLink({
          url: `${running.server.url}/trpc`,
          token: () => store.accessToken,
          refreshToken: () => store.refreshToken,
          onTokens: (tokens) => {
            Object.assign(store, tokens);
          },
        }),
        httpLink({ url: `${running.server.url}/trpc`, headers: ({ op }) => authorizationHeaders([op]) }),
      ],
    });
    const [me, count] = await Promise.all([client.auth.me.query(), client.task.count.query()]);
    expect(me.email).toBe('own-chain@example.com');
    expect(count).toBe(0);
    expect(store.refreshToken).not.toBe(signUp.refreshToken);
    expect(seen.sort()).toEqual(['auth.me', 'task.count']);
  });

  it("follows the app's token store: after another user signs in, nothing of the first user's is sent", async () => {
    const anonymous = running.server.client();
    const alice = await anonymous.auth.signUp.mutate({ email: 'switch-a@example.com', password: 'alice switches' });
    const store = { accessToken: 'expired.access.token', refreshToken: alice.refreshToken };
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: () => store.accessToken,
      refreshToken: () => store.refreshToken,
      onTokens: (tokens) => {
        Object.assign(store, tokens);
      },
    });
    // A refresh happens for Alice, and the store receives her new pair.
    expect((await client.auth.me.query()).id).toBe(alice.user.id);
    expect(store.refreshToken).not.toBe(alice.refreshToken);

    // Alice signs out; Bob signs in on the same page, with the same client.
    const bob = await anonymous.auth.signUp.mutate({ email: 'switch-b@example.com', password: 'bob takes over' });
    Object.assign(store, { accessToken: bob.accessToken, refreshToken: bob.refreshToken });
    expect((await client.auth.me.query()).id).toBe(bob.user.id);
    // And a refresh from now on uses Bob's refresh token.
    store.accessToken = 'expired.again';
    expect((await client.auth.me.query()).id).toBe(bob.user.id);
    expect(store.refreshToken).not.toBe(bob.refreshToken);
  });

  it('also follows the store without onTokens, and after a sign-out sends no token at all', async () => {
    const anonymous = running.server.client();
    const dave = await anonymous.auth.signUp.mutate({ email: 'no-callback@example.com', password: 'dave stores' });
    // At page load only the refresh token is known.
    const store: { accessToken?: string; refreshToken?: string } = { refreshToken: dave.refreshToken };
    const sent: (string | null)[] = [];
    const recording: typeof fetch = async (input, init) => {
      if (!String(input instanceof Request ? input.url : input).includes('auth.refresh')) {
        sent.push(new Headers(init?.headers).get('authorization'));
      }
      return fetch(input, init);
    };
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: () => store.accessToken,
      refreshToken: () => store.refreshToken,
      fetch: recording,
    });
    expect((await client.auth.me.query()).id).toBe(dave.user.id);
    expect((await client.auth.me.query()).id).toBe(dave.user.id);

    const erin = await anonymous.auth.signUp.mutate({ email: 'after-dave@example.com', password: 'erin next' });
    Object.assign(store, { accessToken: erin.accessToken, refreshToken: erin.refreshToken });
    expect((await client.auth.me.query()).id).toBe(erin.user.id);

    // Signed out: no token of anyone's goes out, and the call is UNAUTHORIZED.
    Object.assign(store, { accessToken: undefined, refreshToken: undefined });
    sent.length = 0;
    expect((await errorOf(client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
    expect(sent).toEqual([null]);
  });

  it('keeps the refreshed pair itself when the app gives plain strings', async () => {
    const carol = await running.server
      .client()
      .auth.signUp.mutate({ email: 'strings@example.com', password: 'carol uses strings' });
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: 'expired.access.token',
      refreshToken: carol.refreshToken,
    });
    expect((await client.auth.me.query()).id).toBe(carol.user.id);
    // The given refresh token was rotated away; further calls use the client's own new pair.
    expect((await client.task.count.query()) >= 0).toBe(true);
    expect((await client.auth.me.query()).id).toBe(carol.user.id);
  });

  it('gives up with the original UNAUTHORIZED when the refresh token is no good', async () => {
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: 'bad',
      refreshToken: 'not-a-refresh-token',
    });
    expect((await errorOf(client.task.list.query())).data?.code).toBe('UNAUTHORIZED');
  });

  it('also gives up with the original UNAUTHORIZED when the refresh cannot reach the server', async () => {
    const offlineRefresh: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('auth.refresh')) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const client = createTaskwireClient({
      url: `${running.server.url}/trpc`,
      token: 'bad',
      refreshToken: 'some-refresh-token',
      fetch: offlineRefresh,
    });
    expect((await errorOf(client.task.list.query())).data?.code).toBe('UNAUTHORIZED');
  });
});
