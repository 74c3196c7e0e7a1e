/**
 * The `bucketwarden --local` backend: the commands talk to the running pipeline's runner over its
 * loopback API, since the runner owns the batch runner's environments, the updater and the store's
 * notifications. A run therefore goes on when the command stops following it (Ctrl-C), and the same
 * command finds it again.
 */
import type {
  BacklogJob,
  BacklogProgress,
  BacklogRequest,
  BacklogSummary,
  BucketStatus,
} from "../cli/backend";
import { BackendUnavailableError } from "../cli/errors";
import type { LocalBackend, ProtectResult, UpdateResult } from "../cli/local-commands";
import type { RunView } from "./backlog";
import { type LocalPaths, localPaths } from "./paths";
import { readPipeline, shortPath } from "./pipeline";

/** The runner refused a request; its message says why. */
export class RunnerRequestError extends BackendUnavailableError {}

/** How often `follow` asks the runner where a run stands. */
const POLL_MS = 500;

/** The local pipeline's backend for the state directory `paths` (default: BW_LOCAL_DIR or .local/). */
export async function localBackend(
  paths: LocalPaths = localPaths(),
  pollMs = POLL_MS,
): Promise<LocalBackend> {
  const info = readPipeline(paths);
  const notRunning = `the local pipeline is not running (no answer from its runner in ${shortPath(paths.root)}); start it with \`npm start\``;
  if (!info) throw new BackendUnavailableError(notRunning);
  const url = info.runner.url;
  try {
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    throw new BackendUnavailableError(notRunning, { cause: e });
  }

  const call = async <T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method,
        ...(body !== undefined
          ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }
          : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new BackendUnavailableError(`${notRunning} (${(e as Error).message})`, { cause: e });
    }
    const answer = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new RunnerRequestError(answer.error ?? `the runner answered HTTP ${res.status}`);
    return answer;
  };

  return {
    start: (request: BacklogRequest) => call<BacklogJob>("POST", "/backlog", request),
    async follow(
      job: BacklogJob,
      onProgress: (p: BacklogProgress) => void,
      signal: AbortSignal,
    ): Promise<BacklogSummary> {
      for (;;) {
        signal.throwIfAborted();
        const view = await call<RunView>("GET", `/backlog/${job.id}`, undefined, signal);
        onProgress(view.progress);
        if (view.error) throw new RunnerRequestError(`run ${job.id} failed: ${view.error}`);
        if (view.summary) return { ...view.summary, report: shortPath(view.summary.report) };
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, pollMs);
          signal.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              reject(signal.reason);
            },
            { once: true },
          );
        });
      }
    },
    status: (bucket: string) => call<BucketStatus>("GET", `/buckets/${encodeURIComponent(bucket)}/status`),
    protect: (bucket: string, strict: boolean) => call<ProtectResult>("POST", "/protect", { bucket, strict }),
    update: () => call<UpdateResult>("POST", "/update", {}),
  };
}
