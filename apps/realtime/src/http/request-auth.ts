import { ProtocolError, SESSION_COOKIE } from "@repo/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Auth, AuthUser } from "../auth/auth";

/** The session token of a request: the Bearer header first, then the HttpOnly cookie. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith("Bearer ")) return header.slice("Bearer ".length).trim();
  return request.cookies[SESSION_COOKIE];
}

/** Resolves the signed-in user or throws `unauthorized`. */
export async function requireUser(auth: Auth, request: FastifyRequest): Promise<AuthUser & { expiresAt: Date }> {
  const user = await auth.authenticate(sessionTokenOf(request));
  if (!user) throw new ProtocolError("unauthorized", "Sign in first");
  return user;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, path: "/", expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure, path: "/" });
}
