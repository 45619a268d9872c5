import { readFile } from "node:fs/promises";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

async function ownCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Fields after the ")" that closes the command name: state is the 3rd, utime the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11] ?? Number.NaN) + Number(fields[12] ?? Number.NaN);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_S : 0;
}

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.split(" ").filter(Boolean).map(Number);
}

/**
 * CPU ms used so far by a process and its live children (nginx: the master and its
 * workers), from /proc (Linux; 0 elsewhere). 10 ms resolution.
 */
export async function processTreeCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const children = await childrenOf(pid);
  const all = await Promise.all([pid, ...children].map(ownCpuMs));
  return all.reduce((sum, ms) => sum + ms, 0);
}
