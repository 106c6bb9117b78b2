// The address a request comes from, as rate limits count it. Express's `request.ip` already follows
// X-Forwarded-For from a proxy on loopback (server.ts: trust proxy). An IPv6 client usually holds a
// whole /64 and can pick any address in it, so IPv6 addresses count by their /64.
import { isIPv6 } from 'node:net';
import type { Request } from 'express';

/** The eight 16-bit groups of an IPv6 address, "::" expanded. */
function groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right];
}

export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${groups(ip.split('%')[0]!).slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function clientAddress(request: Request): string {
  return addressKey(request.ip ?? request.socket.remoteAddress);
}
