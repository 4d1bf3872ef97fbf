import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostAddress, isForbiddenAddress } from './address-guard.js';

// One POST to a webhook: 10 s at most, redirects never followed (a 3xx is a failure), and the
// address checked as the connection resolves it: a name that resolves to a forbidden address is
// refused before connecting, and so is a literal one.

export const WEBHOOK_TIMEOUT_MS = 10_000;
const RESPONSE_BYTES_KEPT = 1024;

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

/** POSTs the body with the headers; never throws. */
export function sendWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
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
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      // A fresh connection each time, so every delivery's address is checked.
      agent: false,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      timeout: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`timeout after ${options.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms`));
    }, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    request.on('socket', (socket) => {
      // The address actually connected, checked once more (a literal host skips the lookup).
      socket.once('connect', () => {
        const remote = socket.remoteAddress;
        if (!options.allowPrivate && (!remote || isForbiddenAddress(remote))) request.destroy(new Error(REFUSED));
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => {
      clearTimeout(timer);
      finish(done(false, null, error.message.slice(0, 500)));
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
