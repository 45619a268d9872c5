import { readFileSync } from "node:fs";

const MiB = 1024 * 1024;

export interface RssSample {
  t: number;
  rssBytes: number;
  /** user + system CPU time of the process so far, ms (from /proc/<pid>/stat). */
  cpuMs: number;
}

const CLOCK_TICKS_PER_S = 100;

/** RSS and CPU time of a process from /proc (Linux); null once it is gone or on other systems. */
export function readProc(pid: number): RssSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    if (!rss) return null;
    return { t: Date.now(), rssBytes: Number(rss[1]) * 1024, cpuMs: (cpuTicks * 1000) / CLOCK_TICKS_PER_S };
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs` from the orchestrator, reading
 * /proc, so it keeps sampling while the server's event loop is blocked (an
 * IPC call would wait). Passing `limitBytes` calls `onLimit` once (the caller
 * kills the server, so the machine survives a flood).
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  limitHit = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    options: { intervalMs: number; limitBytes: number; onLimit: (sample: RssSample) => void },
  ) {
    const take = () => {
      const sample = readProc(this.pid);
      if (!sample) return;
      this.samples.push(sample);
      if (!this.limitHit && sample.rssBytes > options.limitBytes) {
        this.limitHit = true;
        options.onLimit(sample);
      }
    };
    take();
    this.timer = setInterval(take, options.intervalMs);
  }

  get available(): boolean {
    return this.samples.length > 0;
  }

  /** Highest RSS (MiB) sampled in [from, to] (Date.now() times). */
  peakMiB(from: number, to: number): number {
    let peak = Number.NaN;
    for (const sample of this.samples) {
      if (sample.t < from || sample.t > to) continue;
      if (!(sample.rssBytes / MiB <= peak)) peak = sample.rssBytes / MiB;
    }
    return peak;
  }

  /** The last sample at or before `t`. */
  at(t: number): RssSample | undefined {
    let found: RssSample | undefined;
    for (const sample of this.samples) if (sample.t <= t) found = sample;
    return found;
  }

  /** Server CPU share (% of one core) over [from, to], from the samples nearest to both ends. */
  cpuPct(from: number, to: number): number {
    const inside = this.samples.filter((sample) => sample.t >= from && sample.t <= to);
    const first = inside[0];
    const last = inside[inside.length - 1];
    if (!first || !last || last.t === first.t) return Number.NaN;
    return ((last.cpuMs - first.cpuMs) / (last.t - first.t)) * 100;
  }

  stop() {
    clearInterval(this.timer);
    const last = readProc(this.pid);
    if (last) this.samples.push(last);
  }
}

/** Peak RSS over the process's whole life (VmHWM), MiB; NaN when unavailable. */
export function highWaterMiB(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? (Number(match[1]) * 1024) / MiB : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
