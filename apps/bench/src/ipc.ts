import { fork, type ChildProcess } from "node:child_process";

/**
 * A tiny request/response protocol over Node's IPC channel: the orchestrator
 * calls named commands on a child process and awaits typed answers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (args: any) => unknown;
export type Api = Record<string, AnyFn>;

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
interface Response {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Child side: answers the parent's calls; exits when the parent goes away. */
export function serveApi(api: Api): void {
  if (!process.send) throw new Error("This script runs as a child process of the bench orchestrator");
  process.on("message", (message: Request) => {
    const handler = api[message.cmd];
    const reply = (response: Response) => {
      if (process.connected) process.send?.(response);
    };
    if (!handler) return reply({ id: message.id, ok: false, error: `unknown command ${message.cmd}` });
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ id: message.id, ok: true, result: result ?? null }),
        (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The orchestrator died or closed the channel: nothing left to do here.
  process.on("disconnect", () => process.exit(0));
  process.send({ id: 0, ok: true, result: "ready" } satisfies Response);
}

/** Parent side: a forked TypeScript child (run through tsx) whose API can be called. */
export class ChildHandle<A extends Api> {
  readonly process: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;
  readonly ready: Promise<void>;

  constructor(
    readonly name: string,
    script: string,
    options: { cwd: string; execArgv?: string[] },
  ) {
    this.process = fork(script, [], {
      cwd: options.cwd,
      execArgv: [...(options.execArgv ?? []), "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const readyTimer = setTimeout(() => failReady(new Error(`${name}: child did not start within 60 s`)), 60_000);
    this.process.on("message", (message: Response) => {
      if (message.id === 0) {
        clearTimeout(readyTimer);
        markReady();
        return;
      }
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`${name}: ${message.error ?? "failed"}`));
    });
    this.process.on("exit", (code, signal) => {
      this.exited = true;
      clearTimeout(readyTimer);
      const error = new Error(`${name}: child exited (${signal ?? code})`);
      failReady(error);
      for (const entry of this.pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(error);
      }
      this.pending.clear();
    });
  }

  call<K extends keyof A & string>(cmd: K, args: Parameters<A[K]>[0], timeoutMs = 60_000): Promise<Awaited<ReturnType<A[K]>>> {
    if (this.exited) return Promise.reject(new Error(`${this.name}: child has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.process.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Ends the child: a polite SIGTERM, then SIGKILL if it lingers. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.process.kill("SIGKILL");
  }
}
