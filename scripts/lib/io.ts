/**
 * Thin file helpers for the reproduction pipeline: atomic, durable writes (temp file + fsync +
 * rename) that refuse to leave the granted tree through a symlink, schema-checked reads,
 * existence checks, stale temp-file cleanup and the run lock (one run per directory). Every JSON
 * file the pipeline writes has a `schema` field; a file that is missing, unparsable or of the
 * wrong schema counts as not written, so an interrupted run never leaves work that a rerun
 * would trust.
 */
import { UsageError } from "./cli.ts";

/** Directory part of a `/`-separated path ("." when there is none). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Joins path segments with `/`, dropping empty segments and duplicate slashes. */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/");
}

/** True when `path` exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

let tmpCounter = 0;

/**
 * Writes `bytes` to `path` durably and atomically: a temp file in the same directory
 * (`<path>.tmp-<pid>-<n>`), flushed to disk (fsync), then renamed over `path` (atomic on POSIX),
 * so readers see either no file, the old one or the whole new one — also after a crash or
 * `kill -9`. Creates the directory; removes the temp file when a step fails.
 */
export async function writeBytesAtomic(path: string, bytes: Uint8Array): Promise<void> {
  assertInsideGrantedTree(dirname(path), path);
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${tmpCounter++}`;
  try {
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.byteLength) off += await f.write(bytes.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Writes `value` as JSON to `path` atomically and durably ({@link writeBytesAtomic}).
 * Throws when `value` has no string `schema` field.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof schema !== "string") {
    throw new Error(`writeJsonAtomic(${path}): value.schema must be a string, got ${schema}`);
  }
  await writeBytesAtomic(path, new TextEncoder().encode(JSON.stringify(value) + "\n"));
}

/** Writes text to `path` atomically (temp file + fsync + rename); for SVG, Markdown and HTML. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await writeBytesAtomic(path, new TextEncoder().encode(text));
}

/** Reads and parses a JSON file; throws an Error naming the file when it is not valid JSON. */
export async function readJson<T = unknown>(path: string): Promise<T> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads `path` when it exists, parses, and has `schema === schema`; returns `null` otherwise
 * (missing, truncated or foreign files count as "not done yet" and are redone).
 */
export async function readDone<T = unknown>(path: string, schema: string): Promise<T | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const v = JSON.parse(text) as { schema?: unknown };
    return v !== null && typeof v === "object" && v.schema === schema ? v as T : null;
  } catch {
    return null;
  }
}

/** Removes stale `*.tmp-*` files left in `dir` (recursively) by a killed run. */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  if (!(await exists(dir))) return 0;
  for await (const entry of Deno.readDir(dir)) {
    const p = join(dir, entry.name);
    if (entry.isDirectory) removed += await removeStaleTemps(p);
    else if (/\.tmp-\d+-\d+$/.test(entry.name)) {
      await Deno.remove(p);
      removed++;
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Writes stay inside the granted tree

function permission(name: "read" | "write", path: string): Deno.PermissionState {
  try {
    return Deno.permissions.querySync({ name, path }).state;
  } catch {
    return "denied";
  }
}

/** `path` made absolute (against the working directory) with `.` and `..` resolved textually. */
export function absolutePath(path: string): string {
  const full = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const out: string[] = [];
  for (const part of full.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/**
 * `dir` resolved through symlinks: the real path of its nearest existing ancestor with the rest
 * appended; null when that ancestor cannot be read (no read permission).
 */
export function realPathOfNearest(dir: string): string | null {
  const parts = absolutePath(dir).split("/");
  for (let k = parts.length; k > 0; k--) {
    const head = parts.slice(0, k).join("/") || "/";
    if (permission("read", head) !== "granted") return null;
    try {
      const real = Deno.realPathSync(head);
      return [real, ...parts.slice(k)].join("/").replace(/\/+/g, "/");
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) return null;
    }
  }
  return null;
}

const rootRealCache = new Map<string, string | null>();

/**
 * Throws unless writing into `dir` stays inside the tree Deno granted for writing: a directory
 * whose real path (through symlinks) is granted, or lies under the real path of the granted
 * root it is textually under (so `runs/` may itself be a link to a scratch disk, but a link
 * inside `runs/` may not lead out of it). Deno itself follows such links without asking, so
 * this is checked before every write. Does nothing without read permission (nothing to resolve).
 */
export function assertInsideGrantedTree(dir: string, what = dir): void {
  const real = realPathOfNearest(dir);
  if (real === null || permission("write", real) === "granted") return;
  // the textual granted root: the highest ancestor of dir that is granted
  const parts = absolutePath(dir).split("/");
  let root: string | null = null;
  for (let k = parts.length; k > 0; k--) {
    const head = parts.slice(0, k).join("/") || "/";
    if (permission("write", head) === "granted") root = head;
    else break;
  }
  if (root !== null) {
    if (!rootRealCache.has(root)) rootRealCache.set(root, realPathOfNearest(root));
    const rootReal = rootRealCache.get(root)!;
    if (rootReal !== null && (real === rootReal || real.startsWith(rootReal + "/"))) return;
  }
  throw new Error(
    `${what}: refusing to write: ${dir} leads through a symlink to ${real}, outside the ` +
      `granted tree${root ? ` ${root}` : ""}`,
  );
}

// ---------------------------------------------------------------------------------------------
// One run per directory

/** The run lock file of a run directory. */
export const lockPath = (out: string) => join(out, "run.lock");

/** What a run lock records (`degeneracy.run-lock/1`). */
export interface RunLockInfo {
  schema: "degeneracy.run-lock/1";
  pid: number;
  host: string;
  started: string;
  command: string;
}

/** A held run lock; {@link RunLock.release} removes it. */
export interface RunLock {
  readonly path: string;
  readonly info: RunLockInfo;
  /** A stale lock this one replaced (its holder is gone), or null. */
  readonly replaced: RunLockInfo | null;
  release(): void;
}

/** This machine's host name (`--allow-sys=hostname`), or `"unknown"` without the permission. */
export function hostName(): string {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state !== "granted") {
      return "unknown";
    }
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

function describeLock(i: RunLockInfo | null): string {
  if (!i) return "a process whose lock file is unreadable";
  return `pid ${i.pid} on ${i.host}, started ${i.started}: ${i.command}`;
}

function parseLock(text: string): RunLockInfo | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && v.schema === "degeneracy.run-lock/1" ? v : null;
  } catch {
    return null;
  }
}

/**
 * Takes the run lock of `out` (`OUT/run.lock`, created with the directory): an exclusive
 * advisory lock (flock) held while the process lives, and a record of pid, host, start time and
 * command. A second run into the same directory is refused with one line naming the holder
 * (a {@link UsageError} on `--out`). A lock file left by a process that died is stale: on this
 * host the advisory lock is released with the process, so it is taken over (and returned as
 * `replaced`); a lock recorded on another host is refused, since whether that process lives
 * cannot be checked from here (delete the file once it is gone). Only the commands that drive a
 * run take it (reproduce, experiments, controls, report), never the unit runner, which a
 * driving command starts (e.g. on the compute nodes of a Slurm cluster).
 */
export async function acquireRunLock(out: string, command: string): Promise<RunLock> {
  await Deno.mkdir(out, { recursive: true });
  const path = lockPath(out);
  const host = hostName();
  for (let attempt = 0; attempt < 5; attempt++) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    let held = false;
    try {
      if (!(await file.tryLock(true))) {
        const other = parseLock(await Deno.readTextFile(path).catch(() => ""));
        throw new UsageError(
          "--out",
          `${out} is in use by another run (${describeLock(other)})`,
          "one run per directory: wait for it to finish, or use another --out",
        );
      }
      // the path may have been removed and recreated by a run that just finished: retry
      const [a, b] = [await file.stat(), await Deno.stat(path).catch(() => null)];
      if (!b || a.ino !== b.ino) continue;
      const previous = parseLock(await Deno.readTextFile(path));
      if (previous && previous.host !== host && previous.host !== "unknown" && host !== "unknown") {
        throw new UsageError(
          "--out",
          `${out} has a lock of ${describeLock(previous)}; that host's processes cannot be ` +
            `checked from ${host}`,
          `if no run is writing to ${out}, delete ${path}`,
        );
      }
      const info: RunLockInfo = {
        schema: "degeneracy.run-lock/1",
        pid: Deno.pid,
        host,
        started: new Date().toISOString(),
        command,
      };
      const bytes = new TextEncoder().encode(JSON.stringify(info) + "\n");
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      let off = 0;
      while (off < bytes.byteLength) off += await file.write(bytes.subarray(off));
      await file.sync();
      held = true;
      let released = false;
      return {
        path,
        info,
        replaced: previous,
        release() {
          if (released) return;
          released = true;
          try {
            Deno.removeSync(path);
          } catch {
            // already gone
          }
          file.close();
        },
      };
    } finally {
      if (!held) file.close();
    }
  }
  throw new UsageError("--out", `${out}: could not take ${path}`, "retry");
}
