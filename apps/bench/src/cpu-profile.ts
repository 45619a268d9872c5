import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import path from "node:path";

let session: Session | undefined;

/** Starts a V8 CPU profile of this process (a bench row's measured window, with --profile). */
export async function startCpuProfile(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
}

/** Stops the running profile and writes it as a .cpuprofile (open in Chrome DevTools). */
export async function stopCpuProfile(file: string): Promise<void> {
  if (!session) throw new Error("no profile running");
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  session = undefined;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(profile));
}

/** The two profile calls as IPC API methods, shared by the server and load-generator processes. */
export const profileApi = {
  async startProfile() {
    await startCpuProfile();
    return null;
  },

  async stopProfile(args: { file: string }) {
    await stopCpuProfile(args.file);
    return null;
  },
};
