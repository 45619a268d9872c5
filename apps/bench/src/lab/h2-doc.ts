import { markdownTable } from "../report";
import { int } from "./format";
import type { H2Row } from "./h2-streams";
import type { LabResults } from "./lab-results";

/** docs/transports.md's HTTP/2 figures: the h2 rows of the run's JSON, the prose typed here. */

const REPRODUCE = "pnpm bench:lab --scenarios h2";

const receiving = (row: H2Row) => row.received.filter((count) => count > 0).length;
const seventh = (row: H2Row) => (row.seventhFirstEventMs === null ? `none within ${int(row.waitMs / 1000)} s` : `${int(row.seventhFirstEventMs)} ms`);
const find = (results: LabResults, mode: H2Row["mode"]) => results.h2?.find((row) => row.ok && row.mode === mode);

/** The Browser-support verdict's last sentence: what the seven streams measured, or that they were not run. */
export function h2Verdict(results: LabResults): string {
  const h1 = find(results, "http1");
  const h2 = find(results, "h2");
  if (!h1 || !h2) return `The HTTP/2 measurement (seven streams through TLS nginx) was not part of this run: \`${REPRODUCE}\` makes it.`;
  return `Measured here (\`${REPRODUCE}\`, seven pages of one Chromium, each a native \`EventSource\`): straight to the service over ${h1.protocol ?? "HTTP/1.1"} **${receiving(h1)} of ${h1.streams} streams received** the event and the seventh got ${seventh(h1)}; through the HTTP/2 TLS nginx (${h2.protocol ?? "?"}) **${receiving(h2)} of ${h2.streams}**, the seventh in ${seventh(h2)}. See the seven-streams section below.`;
}

export function h2Section(results: LabResults): string {
  const rows = results.h2 ?? [];
  if (rows.length === 0) return `_The seven-streams measurement was not run (\`${REPRODUCE}\`)._`;
  const table = rows.map((row) =>
    row.ok
      ? [row.via, row.protocol ?? "?", `${receiving(row)}/${row.streams}`, `[${row.received.join(",")}]`, `${row.opened}/${row.streams}`, seventh(row)]
      : [row.via, "", "failed", row.error ?? "", "", ""],
  );
  return [
    "Seven pages in one Chromium context (Debian's `/usr/bin/chromium`, through Playwright), each with one native `EventSource` on the bench topic, authorized by a ticket in its URL; the streams get 1.5 s to open, then the service publishes one event and they get 2 s to receive it. Each page first loads `/healthz` of the origin its stream goes to, so the stream is same-origin (no CORS); all seven load before any stream opens. The first run goes straight to a fresh Switchboard service on a free port (plain HTTP: HTTP/1.1); the second through a fresh nginx on another free port with `@repo/nginx`'s `h2-tls` config (TLS with a throwaway self-signed certificate, HTTP/2 to the browser, HTTP/1.1 to the service). The protocol column is the pages' navigation entry's `nextHopProtocol`, on the same origin and connection pool as their streams. The same measurement is the Playwright test `apps/web/e2e/http2-streams.spec.ts`.",
    "",
    markdownTable(["path", "protocol", "streams receiving", "events per stream", "streams open", "seventh stream's first event"], table),
    "",
    "Over HTTP/1.1 Chromium holds at most six connections per host, each open stream holds one, and the seventh waits for a free one: it neither opens nor receives while the six stay open. Over HTTP/2 the seven are streams of one multiplexed connection. Reproduce this section alone, then merge it into the other scenarios' JSON:",
    "",
    "```sh",
    `${REPRODUCE}            # writes bench/results/lab-<time>/lab.json`,
    "pnpm bench:lab --from docs/transports/lab.json,bench/results/lab-<time>/lab.json --docs",
    "```",
  ].join("\n");
}

export function h2Summary(results: LabResults): string[] {
  return (results.h2 ?? []).map((row) =>
    row.ok ? `h2    ${row.mode.padEnd(15)} ${row.protocol ?? "?"}: ${receiving(row)}/${row.streams} receiving [${row.received.join(",")}], seventh ${seventh(row)}` : `h2    ${row.mode.padEnd(15)} failed: ${row.error}`,
  );
}
