import type { IncomingMessage } from 'node:http';
import { TracefixError } from '../../src/errors.ts';
import { isLoopbackHost } from '../../src/http/index.ts';

/**
 * The page runs other people's code when it is reachable from other machines. The composition root
 * calls this before listening: a non-loopback HOST is allowed only with a sandbox that isolates.
 */
export function checkWebChatExposure(input: { host: string; sandboxIsolated: boolean; sandboxHow?: string }): void {
  if (isLoopbackHost(input.host) || input.sandboxIsolated) return;
  throw new TracefixError(
    'not_isolated',
    `Refusing to serve the web chat on ${input.host}: code from other machines needs an isolating sandbox, and this one is not (${
      input.sandboxHow ?? 'no isolation'
    }). Keep HOST=127.0.0.1, or use TRACEFIX_SANDBOX=e2b, or install bubblewrap.`,
  );
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

export interface OriginPolicy {
  /**
   * Host names (no port) the page may be reached under. An empty list accepts any name (a reverse
   * proxy in front checks it). Undefined, the default: a request that arrives on a loopback address
   * must name a loopback host, which defeats DNS rebinding (a hostile page whose name resolves to
   * 127.0.0.1 sends its own name); a request on another address (HOST deliberately not loopback, which
   * needs an isolating sandbox) may use any name, since that server is reachable directly anyway.
   */
  allowedHosts?: readonly string[] | undefined;
}

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** GET and POST: the Host header names us. */
export function hostAllowed(req: IncomingMessage, policy: OriginPolicy): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const name = hostName(host).toLowerCase();
  if (policy.allowedHosts !== undefined) {
    return policy.allowedHosts.length === 0 || policy.allowedHosts.includes(name);
  }
  const local = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
  return !isLoopbackHost(local) || LOOPBACK_HOSTS.includes(name);
}

/**
 * State-changing requests (POST) must come from our own page. Three independent checks, any one of
 * which a cross-site form or fetch fails: a JSON body (forms cannot send it without a CORS preflight,
 * which we never answer), a custom header (same), and Origin / Sec-Fetch-Site naming us when the
 * browser sends them. Returns the reason for the log when refused.
 */
export function sameOriginPost(req: IncomingMessage, policy: OriginPolicy): string | undefined {
  if (!hostAllowed(req, policy)) return 'host not allowed';
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return 'content type is not application/json';
  if (req.headers['x-tracefix-request'] !== '1') return 'missing x-tracefix-request header';
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `sec-fetch-site ${site}`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'unreadable origin';
    }
    if (originHost.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) return 'cross-origin';
  }
  return undefined;
}
