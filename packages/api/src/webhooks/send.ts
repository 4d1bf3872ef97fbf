import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostAddress, isForbiddenAddress } from './address-guard.js';

// One POST to a webhook: 10 s at most, redirects never followed (a 3xx is a failure), and the
// address checked as the connection resolves it: a name that resolves to a forbidden address is
// refused before connecting, and so is a literal one. Connections are kept alive per origin for a
// few seconds: a kept connection goes to the address that was checked when it opened, and every new
// one (so every new DNS answer) is checked again.

export const WEBHOOK_TIMEOUT_MS = 10_000;
const RESPONSE_BYTES_KEPT = 1024;
/** How long an idle connection is kept: under the 5 s most servers keep one, so they rarely close it first. */
const IDLE_CONNECTION_MS = 4_000;

export interface SendOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

const REFUSED = 'refused: the URL resolves to a loopback, private, link-local or metadata address';

/** A dns.lookup that refuses forbidden addresses (every one of the name's addresses must be public). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 4);
    if (addresses.length === 0 || addresses.some((entry) => isForbiddenAddress(entry.address))) {
      return callback(Object.assign(new Error(REFUSED), { code: 'EWEBHOOKREFUSED' }), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
};

// Two pools, since a pool's connections are keyed by origin only: those opened through the guarded
// lookup never serve a send that skips it, nor the reverse.
const keptAlive = { keepAlive: true, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' as const };
const pools = {
  guarded: {
    http: new http.Agent({ ...keptAlive, lookup: guardedLookup }),
    https: new https.Agent({ ...keptAlive, lookup: guardedLookup }),
  },
  open: { http: new http.Agent(keptAlive), https: new https.Agent(keptAlive) },
};

/** POSTs the body with the headers; never throws. */
export async function sendWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
  const first = await sendOnce(target, headers, body, options);
  // A kept connection the server closed as it was reused: send again on a new one (at least once).
  return first.staleConnection ? sendOnce(target, headers, body, options) : first;
}

function sendOnce(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult & { staleConnection?: boolean }> {
  const started = performance.now();
  const done = (ok: boolean, status: number | null, error: string | null): SendResult => ({
    ok,
    status,
    durationMs: Math.round(performance.now() - started),
    error,
  });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(done(false, null, 'invalid URL'));
  }
  const secure = url.protocol === 'https:';
  if (!secure && !(options.allowPrivate && url.protocol === 'http:')) {
    return Promise.resolve(done(false, null, 'refused: the URL must use https'));
  }
  const literal = hostAddress(url);
  if (!options.allowPrivate && literal && isForbiddenAddress(literal))
    return Promise.resolve(done(false, null, REFUSED));

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult & { staleConnection?: boolean }) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const pool = options.allowPrivate ? pools.open : pools.guarded;
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      agent: secure ? pool.https : pool.http,
      timeout: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`timeout after ${options.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms`));
    }, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    request.on('socket', (socket) => {
      // A new connection's address, checked once more as it connects (a literal host skips the
      // lookup); a kept one was checked when it connected.
      if (!socket.connecting) return;
      socket.once('connect', () => {
        const remote = socket.remoteAddress;
        if (!options.allowPrivate && (!remote || isForbiddenAddress(remote))) request.destroy(new Error(REFUSED));
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      finish({ ...done(false, null, error.message.slice(0, 500)), ...(stale && { staleConnection: true }) });
    });
    request.on('response', (response) => {
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        kept += chunk.length;
        if (kept > RESPONSE_BYTES_KEPT) response.destroy();
      });
      const status = response.statusCode ?? 0;
      const end = () => {
        clearTimeout(timer);
        const ok = status >= 200 && status < 300;
        finish(
          done(ok, status, ok ? null : status >= 300 && status < 400 ? 'redirect not followed' : `HTTP ${status}`),
        );
      };
      response.on('end', end);
      response.on('close', end);
      response.on('error', end);
    });
    request.end(body);
  });
}
