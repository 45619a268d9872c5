import { readFile } from "node:fs/promises";
import { machineCpu } from "../run-row";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux the bench runs on). */
const USER_HZ = 100;

/** CPU ms a process has used so far (user + system), from /proc; null off Linux or once it is gone. */
async function processCpuMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at "state"; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

export interface LoadMark {
  machine: ReturnType<typeof machineCpu>;
  own: number | null;
}

/**
 * How busy the rest of the machine was: all CPUs' busy time minus what the
 * bench's own processes (service, clients, this one) used, as a share of the
 * machine. Other work skews every latency here, so each row reports it.
 */
export class MachineLoad {
  constructor(private readonly pids: number[]) {}

  async mark(): Promise<LoadMark> {
    const times = await Promise.all(this.pids.map(processCpuMs));
    const own = times.some((time) => time === null) ? null : times.reduce<number>((sum, time) => sum + (time ?? 0), 0);
    return { machine: machineCpu(), own };
  }

  /** Share (%) of the machine other processes used since `start`; NaN when unknown. */
  async otherPctSince(start: LoadMark): Promise<number> {
    const end = await this.mark();
    if (start.own === null || end.own === null) return Number.NaN;
    const elapsed = (end.machine.at - start.machine.at) * end.machine.cpus;
    if (elapsed <= 0) return Number.NaN;
    return Math.max(0, ((end.machine.busyMs - start.machine.busyMs - (end.own - start.own)) / elapsed) * 100);
  }
}
