// "This machine" in the two forms the code meets it: a client's address (express's `request.ip`,
// which honours X-Forwarded-For only from a proxy on loopback) and a host name in a URL or setting.

/** A client address on this machine: 127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address);
}

/** A host name that can only mean this machine: `localhost`, 127.0.0.0/8, ::1 (bracketed or not). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
