/**
 * An otherwise empty root file system holding one layer, to prove the layer runs with nothing from
 * the host. The layer zip is unpacked at `<root>/opt` as Lambda does; commands run chrooted into the
 * root inside a private mount and PID namespace (we are root), where the root is read-only and only
 * `/tmp` is writable. Besides the layer the root holds:
 * - `/proc`, a fresh read-only procfs of the namespace: glibc's loader finds `$ORIGIN` of the program it starts
 *   through /proc/self/exe, and Lambda's environment has /proc too;
 * - for an emulated layer only, `/emu/qemu-aarch64-static`, the (static) emulator that runs it.
 * No /dev, /etc, shell or library: the tools need none of them.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunOptions {
  /** Variables of the command's environment (PATH is the host's, for mount and chroot). */
  env?: Record<string, string>;
  /** Numeric user and group to run as; Lambda runs functions as an unprivileged user. @default 0 */
  uid?: number;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

// Runs inside the new namespaces with the host's tools, before the chroot: makes the root read-only
// but for /tmp, proves it is, then becomes the command inside the root.
const ENTER = [
  'root="$1"; user="$2"; shift 2',
  'mount --bind "$root" "$root"',
  'mount --bind "$root/tmp" "$root/tmp"',
  'mount -t proc -o ro,nosuid,nodev,noexec proc "$root/proc"',
  'mount -o remount,bind,ro "$root"',
  'if touch "$root/.writable" 2>/dev/null; then echo "the root is writable" >&2; exit 99; fi',
  'exec chroot --userspec="$user" "$root" "$@"',
].join(" && ");

export class EmptyRoot {
  /** The root, on the host. */
  readonly root: string;
  /** `/tmp` of the root, on the host: where tests put inputs and find outputs. */
  readonly tmp: string;
  private readonly emulator?: string;

  /** Unpacks `zip` (with Debian's unzip, as a stand-in for Lambda) into a new empty root. */
  constructor(zip: string, options: { emulator?: string } = {}) {
    this.root = mkdtempSync(join(tmpdir(), "bw-layer-root-"));
    // mkdtemp makes it 0700; an unprivileged user inside must be able to walk it, as on Lambda.
    chmodSync(this.root, 0o755);
    this.tmp = join(this.root, "tmp");
    mkdirSync(join(this.root, "opt"));
    mkdirSync(join(this.root, "proc"));
    mkdirSync(this.tmp);
    chmodSync(this.tmp, 0o1777);
    execFileSync("unzip", ["-q", zip, "-d", join(this.root, "opt")]);
    if (options.emulator) {
      mkdirSync(join(this.root, "emu"));
      copyFileSync(options.emulator, join(this.root, "emu/qemu-aarch64-static"));
      chmodSync(join(this.root, "emu/qemu-aarch64-static"), 0o755);
      this.emulator = "/emu/qemu-aarch64-static";
    }
  }

  /** The top-level entries of the root. */
  entries(): string[] {
    return readdirSync(this.root).sort();
  }

  /** Runs `argv` (paths as seen inside the root) to completion, blocking the event loop. */
  run(argv: readonly string[], options: RunOptions = {}): RunResult {
    const [command, args] = this.command(argv, options);
    const result = spawnSync(command, args, { encoding: "utf8", env: this.env(options), timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs `argv` to completion without blocking, for commands talking to a server in this process. */
  async runAsync(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const child = this.start(argv, options);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const [status] = (await once(child, "close")) as [number | null];
    return { status, stdout, stderr };
  }

  /** Starts `argv` inside the root and leaves it running; end it with {@link EmptyRoot.stop}. */
  start(argv: readonly string[], options: RunOptions = {}): ChildProcess {
    const [command, args] = this.command(argv, options);
    return spawn(command, args, { env: this.env(options), stdio: ["ignore", "pipe", "pipe"] });
  }

  /**
   * Ends a process from `start`. unshare ignores SIGTERM while it waits for its child, so it gets
   * SIGKILL; --kill-child then takes the namespace's first process, and the namespace with it.
   */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The host command line that runs `argv` inside the root, for code that spawns it itself. */
  command(argv: readonly string[], options: RunOptions = {}): [string, string[]] {
    const inside = this.emulator ? [this.emulator, ...argv] : [...argv];
    // --kill-child: when the test stops unshare, the namespace's first process (and so all) goes too.
    return [
      "unshare",
      [
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        ENTER,
        "sh",
        this.root,
        `${options.uid ?? 0}:${options.uid ?? 0}`,
        ...inside,
      ],
    ];
  }

  // Lambda's own variables do not matter inside the root; a PATH for the host's mount and chroot does.
  private env(options: RunOptions): NodeJS.ProcessEnv {
    return { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...options.env };
  }
}
