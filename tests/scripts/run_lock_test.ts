/**
 * One run per directory, and writes that stay inside the granted tree:
 * - the run lock refuses a second holder (in this process and from another process, with one
 *   line naming pid, host and start), takes over the lock of a process that died (stale), and
 *   refuses a lock recorded on another host;
 * - a driving command (`deno task report`) into a locked directory ends with one line, exit 2;
 * - a write through a symlink inside the granted tree that leads out of it is refused, while
 *   a granted tree that is itself a link (e.g. `runs/` on a scratch disk) works.
 */
import assert from "node:assert/strict";
import { acquireRunLock, hostName, lockPath } from "../../scripts/lib/io.ts";
import { UsageError } from "../../scripts/lib/cli.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const IO = `${ROOT}/scripts/lib/io.ts`;

Deno.test("the run lock: one holder, stale locks taken over, other hosts refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run_lock_" });
  try {
    const a = await acquireRunLock(dir, "first");
    assert.equal(a.replaced, null);
    const info = JSON.parse(await Deno.readTextFile(lockPath(dir)));
    assert.equal(info.pid, Deno.pid);
    assert.equal(info.command, "first");
    await assert.rejects(
      () => acquireRunLock(dir, "second"),
      (e: unknown) =>
        e instanceof UsageError &&
        new RegExp(`^--out: ${dir} is in use by another run \\(pid ${Deno.pid} on `).test(
          e.message,
        ),
    );
    a.release();
    assert.equal(await Deno.stat(lockPath(dir)).then(() => true, () => false), false);

    // another process holds it, then dies: refused while it lives, stale once it is gone
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const { acquireRunLock } = await import(${JSON.stringify(IO)});
         await acquireRunLock(${JSON.stringify(dir)}, "child");
         console.log("held");
         await new Promise((r) => setTimeout(r, 60000));`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /held/);
    await assert.rejects(
      () => acquireRunLock(dir, "third"),
      new RegExp(`in use by another run \\(pid ${child.pid} on .*: child\\)`),
    );
    // a driving command is refused with one line and exit code 2
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    const refused = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}/scripts/report.ts`, "--out", dir],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(refused.stderr).trim();
    assert.equal(refused.code, 2, err);
    assert.equal(err.split("\n").length, 1, err);
    assert.match(err, /^error: --out: .* is in use by another run \(pid \d+ on .*: child\) \(/);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    const b = await acquireRunLock(dir, "fourth");
    assert.equal(b.replaced?.pid, child.pid, "the dead process's lock is stale");
    b.release();

    // a lock recorded on another host cannot be checked from here: refused
    if (hostName() !== "unknown") {
      await Deno.writeTextFile(
        lockPath(dir),
        JSON.stringify({
          schema: "degeneracy.run-lock/1",
          pid: 1,
          host: `${hostName()}-elsewhere`,
          started: "2026-01-01T00:00:00.000Z",
          command: "remote",
        }),
      );
      await assert.rejects(
        () => acquireRunLock(dir, "fifth"),
        /has a lock of pid 1 on .*-elsewhere.*cannot be checked from .* \(if no run is writing to .*, delete .*run\.lock\)/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writes through a symlink that leaves the granted tree are refused", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "granted_" }));
  try {
    const outside = `${base}/outside`, scratch = `${base}/scratch`, work = `${base}/work`;
    for (const d of [outside, scratch, `${work}/runs/a`]) await Deno.mkdir(d, { recursive: true });
    await Deno.symlink(outside, `${work}/runs/a/escape`);
    await Deno.symlink(scratch, `${work}/linked-runs`);
    const script = `${base}/write.ts`;
    await Deno.writeTextFile(
      script,
      `import { writeJsonAtomic } from ${JSON.stringify(IO)};
       for (const p of Deno.args) {
         try {
           await writeJsonAtomic(p, { schema: "t/1" });
           console.log("wrote " + p);
         } catch (e) {
           console.log("refused " + (e as Error).message);
         }
       }`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${IO.replace(/\/scripts\/lib\/io\.ts$/, "")},runs,linked-runs,${script}`,
        "--allow-write=runs,linked-runs",
        script,
        "runs/a/inside.json",
        "runs/a/escape/x.json",
        "linked-runs/b/y.json",
      ],
      cwd: work,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(lines[0], "wrote runs/a/inside.json");
    assert.match(
      lines[1],
      /^refused runs\/a\/escape\/x\.json: refusing to write: runs\/a\/escape leads through a symlink to .*\/outside, outside the granted tree .*\/runs$/,
    );
    assert.equal(lines[2], "wrote linked-runs/b/y.json");
    assert.deepEqual([...Deno.readDirSync(outside)], []);
    assert.deepEqual([...Deno.readDirSync(`${scratch}/b`)].map((e) => e.name), ["y.json"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
