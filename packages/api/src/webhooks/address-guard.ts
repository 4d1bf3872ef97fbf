import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// SSRF: a webhook may only reach the public internet. Addresses are checked at creation and again
// on every delivery, on the address the connection actually uses (DNS can change between the two).

// Two lists: BlockList checks an IPv4 address against IPv4-mapped IPv6 rules too, and the IPv6
// rules below refuse every mapped address.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast, reserved, broadcast
] as const) {
  blocked4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback (::1), IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped: whatever IPv4 address it names
  ['64:ff9b::', 96], // NAT64: the same
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 among them)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked6.addSubnet(network, prefix, 'ipv6');
}

/** Whether a webhook may not connect to this address: loopback, private, link-local, metadata, reserved. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? blocked4.check(address, 'ipv4') : blocked6.check(address, 'ipv6');
}

/** Why a webhook URL is refused, or null. */
export class WebhookUrlRefused extends Error {
  override name = 'WebhookUrlRefused';
}

/** The host of a URL as an address, when it is one (`[::1]` → `::1`). */
export function hostAddress(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

/**
 * Checks a webhook URL: https (http too, and any address, when private addresses are allowed), no
 * credentials, and a host whose every address is public. Throws WebhookUrlRefused.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new WebhookUrlRefused('The URL must use https');
  }
  if (url.username || url.password) throw new WebhookUrlRefused('The URL must not carry credentials');
  if (allowPrivate) return url;
  const literal = hostAddress(url);
  const addresses = literal
    ? [literal]
    : await lookup(url.hostname, { all: true, verbatim: true }).then(
        (found) => found.map((entry) => entry.address),
        () => {
          throw new WebhookUrlRefused(`The host ${url.hostname} does not resolve`);
        },
      );
  if (addresses.length === 0 || addresses.some(isForbiddenAddress)) {
    throw new WebhookUrlRefused('The URL must reach a public address (not loopback, private, link-local or metadata)');
  }
  return url;
}
