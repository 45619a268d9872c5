import type { LoggerOptions } from "pino";

/**
 * pino options for the service. Credentials never reach a log line: the
 * Authorization and Cookie headers, Set-Cookie and any ticket/token fields are
 * redacted, and URLs are logged without their query string (SSE tickets ride there).
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "*.token",
        "*.ticket",
        "token",
        "ticket",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req(request: { method: string; url: string; id?: string; ip?: string }) {
        return { method: request.method, url: request.url.split("?")[0], id: request.id, ip: request.ip };
      },
    },
  };
}
