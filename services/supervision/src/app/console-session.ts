/**
 * Sessions of the operator console. A browser cannot send a bearer header
 * when it loads a page or opens an EventSource, so the console exchanges a
 * token once for a cookie:
 *
 * 1. The operator opens `/supervision/console#token=<JWT>` (a link from the
 *    identity provider, or pasted). The token is in the URL fragment, which
 *    browsers never send to servers, so it reaches no access log or proxy.
 * 2. The page's script POSTs it as `Authorization: Bearer` to
 *    `/supervision/console/session` (an ordinary role-checked route:
 *    operator or supervisor), removes the fragment from the address bar, and
 *    reloads.
 * 3. The route answers with an HttpOnly, SameSite=Strict cookie scoped to
 *    `/supervision`, holding who and which roles, signed with HMAC-SHA256 by
 *    a server secret, expiring with the token (at most 8 hours). Scripts
 *    cannot read it, other sites cannot send it.
 *
 * The console's page, its live event stream and its case pages check that
 * cookie; the JSON API keeps requiring bearer tokens.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from '@govsvc/service-kit/principal';

export const CONSOLE_COOKIE = 'govsvc_console';
export const CONSOLE_ROLES: readonly Role[] = ['operator', 'supervisor'];
const MAX_SESSION_SECONDS = 8 * 3600;

export interface ConsoleSession {
  readonly subject: string;
  readonly roles: readonly Role[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

export class ConsoleSessions {
  private readonly secret: Buffer;

  /** `secret`: shared by every instance behind one address; a random one makes sessions die with the process. */
  constructor(secret?: string) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** The Set-Cookie header value for a verified principal. */
  issue(principal: Principal, nowSeconds: number, secure: boolean): { cookie: string; session: ConsoleSession } {
    const expiresAt = Math.min(principal.expiresAt, nowSeconds + MAX_SESSION_SECONDS);
    const session: ConsoleSession = { subject: principal.subject, roles: principal.roles.filter((r) => CONSOLE_ROLES.includes(r)), expiresAt };
    const payload = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
    const value = `${payload}.${this.sign(payload)}`;
    const maxAge = Math.max(0, expiresAt - nowSeconds);
    const cookie = `${CONSOLE_COOKIE}=${value}; Path=/supervision; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
    return { cookie, session };
  }

  /** The session a Cookie header carries, or null when absent, forged, expired or without a console role. */
  verify(cookieHeader: string | undefined, nowSeconds: number): ConsoleSession | null {
    if (!cookieHeader) return null;
    const raw = cookieHeader
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${CONSOLE_COOKIE}=`))
      ?.slice(CONSOLE_COOKIE.length + 1);
    if (!raw) return null;
    const [payload, signature] = raw.split('.');
    if (!payload || !signature) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ConsoleSession;
      if (typeof session.expiresAt !== 'number' || session.expiresAt <= nowSeconds) return null;
      if (!Array.isArray(session.roles) || !session.roles.some((r) => CONSOLE_ROLES.includes(r))) return null;
      return session;
    } catch {
      return null;
    }
  }
}
