/**
 * Thin file helpers for the reproduction pipeline: atomic, durable writes (temp file + fsync +
 * rename),
 * schema-checked reads, and existence checks. Every JSON file the pipeline writes has a
 * `schema` field; a file that is missing, unparsable or of the wrong schema counts as not
 * written, so an interrupted run never leaves work that a rerun would trust.
 */

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
