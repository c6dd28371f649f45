/**
 * The optional bearer token (`SERVE_TOKEN`). Compared in constant time: both sides are hashed to
 * equal-length digests first, so neither the content nor the length of the expected token leaks
 * through timing. The token is never logged (the server logs no headers) nor echoed in an error.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export type TokenCheck = (authorization: string | undefined) => boolean;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function bearerCheck(token: string): TokenCheck {
  if (token.length === 0) throw new Error('bearerCheck: the token must not be empty');
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

/** Whether only this machine can connect to `host` (a loopback address or name). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Why binding `host` is refused, or undefined when it is allowed. */
export function refusedBind(
  host: string,
  hasToken: boolean,
  allowUnauthenticated: boolean,
): string | undefined {
  if (hasToken || allowUnauthenticated || isLoopback(host)) return undefined;
  return `serve: refusing to listen on ${host} without a token: set SERVE_TOKEN, or pass --allow-unauthenticated`;
}
