/**
 * Keeps the store's gateway up for a running pipeline. One ordinary S3 request (an S3 Select on a
 * CSV object) segfaults Ceph 16.2's gateway, and the store cannot be told to refuse it; the
 * gatekeeper refuses it at the published endpoint, and this supervisor covers the rest: it notices a
 * dead gateway within a poll and starts a new one on the same port and data (`store.sh revive`).
 */
import { livePid } from "./pipeline";
import type { StoreInfo } from "./store/index";

export interface GatewaySupervisorOptions {
  store: StoreInfo;
  /** How often to look at the gateway's process. */
  pollMs: number;
  /** Starts a new gateway; resolves with the store as it is afterwards. */
  revive(dir: string): Promise<StoreInfo>;
  /** Called after each successful revival (the runner lists the bucket for objects left unscanned). */
  revived(store: StoreInfo, downMs: number): void;
  failed(error: unknown): void;
}

export interface GatewaySupervisor {
  /** Revivals so far. */
  restarts(): number;
  stop(): void;
}

/** True while the gateway named in `store.json` runs (a live pid started with this store's conf). */
export function gatewayAlive(store: StoreInfo): boolean {
  return livePid(`${store.dir}/run/client.rgw.bw.pid`, store.conf) !== undefined;
}

export function superviseGateway(o: GatewaySupervisorOptions): GatewaySupervisor {
  let restarts = 0;
  let busy = false;
  let stopped = false;
  const check = async () => {
    if (busy || stopped || gatewayAlive(o.store)) return;
    busy = true;
    const t0 = performance.now();
    try {
      const store = await o.revive(o.store.dir);
      o.store.pids.rgw = store.pids.rgw;
      restarts++;
      if (!stopped) o.revived(store, Math.round(performance.now() - t0));
    } catch (e) {
      o.failed(e);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), o.pollMs);
  return {
    restarts: () => restarts,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
