/**
 * End-to-end test of the reproduction pipeline on the `smoke` preset, run as a child process
 * with the narrow permissions of `deno task reproduce` (read/write the run directory, read the
 * engine's worker modules): every output file exists and parses with its schema, every figure
 * is a valid SVG with data marks, the claims table has a row for every claim; and a run killed
 * midway (in training, then in the metrics) resumes to the same results without redoing
 * finished files.
 */
import assert from "node:assert/strict";
import { XMLValidator } from "npm:fast-xml-parser@5.12.1";
import { getPreset, STUDIES } from "../../scripts/presets.ts";
import { allStudies } from "../../scripts/lib/studies.ts";
import { METRIC_NAMES as METRICS } from "../../scripts/lib/formats.ts";
import {
  claimsPath,
  complexityPath,
  configPath,
  metricPath,
  networkPath,
  reportHtmlPath,
  reportMdPath,
  SCHEMA,
} from "../../scripts/lib/layout.ts";
import { claimSpecs } from "../../scripts/report/claims.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const PRESET = getPreset("smoke");
const STUDY_PLANS = allStudies(PRESET);
const FIGURES = [
  "fig2a_input_complexity",
  "fig2b_output_complexity",
  "fig2c_complexity_plane",
  "fig2d_dimensionality",
  "fig3a_dsa",
  "fig3b_mds",
  "fig3c_output_complexity_vs_dsa",
  "fig4a_pif",
  "fig4b_distance_from_init",
  "fig5_ood_cv",
  "fig6a_aux_loss",
  "fig6b_network_size",
  "fig6c_low_rank",
  "fig6d_sparsity",
  "figA1_attractorness",
  "fig2e_flipflop",
  "fig2e_delayed_discrimination",
  "fig2e_sine_freq",
  "fig2e_path_integration",
  "fig7_aux_line_attractors",
];

/** Starts `deno run` on reproduce.ts with the task's narrow permissions. */
function spawnReproduce(out: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--allow-read=${out},mod.ts,tasks,rnn,metrics,scripts`,
      `--allow-write=${out}`,
      "scripts/reproduce.ts",
      "--preset",
      "smoke",
      "--out",
      out,
      "--quiet",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function runToEnd(out: string): Promise<number> {
  const t0 = performance.now();
  const r = await spawnReproduce(out).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, `reproduce failed:\n${err.slice(-4000)}`);
  return (performance.now() - t0) / 1000;
}

/** All files under `dir` (relative paths), recursively. */
function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/**
 * Kills `child` once `ready()` holds (polled every 50 ms); `killed` is false if it exited first.
 * Returns what it wrote to stderr.
 */
async function killWhen(
  child: Deno.ChildProcess,
  ready: () => boolean,
): Promise<{ killed: boolean; stderr: string }> {
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  // Drain pipes so the child never blocks on a full pipe.
  let stderr = "";
  const dec = new TextDecoder();
  const drain = Promise.all([
    child.stdout.pipeTo(new WritableStream()),
    child.stderr.pipeTo(new WritableStream({ write: (c) => void (stderr += dec.decode(c)) })),
  ]);
  while (!exited && !ready()) await new Promise((r) => setTimeout(r, 50));
  const killed = !exited;
  if (killed) child.kill("SIGKILL");
  await status;
  await drain.catch(() => {});
  return { killed, stderr };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

/** A JSON file without its run-dependent fields (wall times). */
function stable(path: string): string {
  return JSON.stringify(readJson(path), (k, v) => (k === "wallTimeSec" ? undefined : v));
}

const dirA = Deno.makeTempDirSync({ prefix: "repro_smoke_a_" });
const dirB = Deno.makeTempDirSync({ prefix: "repro_smoke_b_" });

function networkFiles(out: string): string[] {
  return STUDY_PLANS.flatMap((s) =>
    s.variants.flatMap((v) =>
      Array.from({ length: PRESET.members }, (_, m) => networkPath(out, s.name, v.id, m))
    )
  );
}
function metricFiles(out: string): string[] {
  return STUDY_PLANS.flatMap((s) =>
    s.variants.flatMap((v) => METRICS.map((m) => metricPath(out, s.name, v.id, m)))
  );
}
const existing = (paths: string[]) =>
  paths.filter((p) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  });

Deno.test({
  name: "smoke preset end to end: every file, schema, figure and claim",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sec = await runToEnd(dirA);
    console.log(`smoke preset wall time: ${sec.toFixed(1)} s`);
    assert.equal(readJson(configPath(dirA)).schema, SCHEMA.config);
    assert.deepEqual(STUDY_PLANS.map((s) => s.name), [...STUDIES]);
    for (const s of STUDY_PLANS) {
      for (const v of s.variants) {
        const c = readJson(complexityPath(dirA, s.name, v.id));
        assert.equal(c.schema, SCHEMA.complexity);
        assert.ok(
          Number.isFinite(c.input) && Number.isFinite(c.output),
          `${s.name}/${v.id} complexity`,
        );
        for (let m = 0; m < PRESET.members; m++) {
          const n = readJson(networkPath(dirA, s.name, v.id, m));
          assert.equal(n.schema, SCHEMA.network);
          assert.equal(n.member, m);
        }
        for (const metric of METRICS) {
          const f = readJson(metricPath(dirA, s.name, v.id, metric));
          assert.equal(f.schema, SCHEMA.metric);
          assert.equal(f.metric, metric);
          const ids = f.ids as string[];
          assert.equal(ids.length, PRESET.members, `${s.name}/${v.id}/${metric} ids`);
          if (f.values) {
            assert.ok((f.values as number[]).every(Number.isFinite), `${metric} values finite`);
          }
          if (f.matrix) {
            const mat = f.matrix as number[][];
            assert.equal(mat.length, ids.length);
            for (let i = 0; i < mat.length; i++) {
              assert.equal(mat[i][i], 0);
              for (let j = 0; j < mat.length; j++) {
                assert.ok(Number.isFinite(mat[i][j]) && mat[i][j] >= 0);
                assert.equal(mat[i][j], mat[j][i]);
              }
            }
          }
        }
      }
    }
    for (const f of FIGURES) {
      const svg = Deno.readTextFileSync(`${dirA}/figures/${f}.svg`);
      assert.equal(XMLValidator.validate(svg), true, `${f}.svg is not valid XML`);
      assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(
        (svg.match(/role="graphics-symbol"/g) ?? []).length > 0,
        `${f}.svg has no data marks`,
      );
      assert.doesNotMatch(svg, /no data/, `${f}.svg has no data`);
    }
    const claims = readJson(claimsPath(dirA));
    assert.equal(claims.schema, SCHEMA.claims);
    const rows = claims.claims as { id: string; verdict: string }[];
    assert.deepEqual(rows.map((r) => r.id).sort(), claimSpecs().map((c) => c.id).sort());
    for (const r of rows) {
      assert.ok(
        ["reproduced", "not reproduced", "inconclusive", "insufficient data", "not computed"]
          .includes(r.verdict),
      );
    }
    const md = Deno.readTextFileSync(reportMdPath(dirA));
    for (const c of claimSpecs()) {
      assert.ok(md.includes(`| ${c.claim} |`), `report.md lacks claim ${c.id}`);
    }
    for (const f of FIGURES) assert.ok(md.includes(`figures/${f}.svg`), `report.md lacks ${f}`);
    // the populations table gives each population's largest final DSA gradient norm, read
    // from its dsa.json (a number, not "–", for the smoke run's flip-flop N = 1)
    const popRow = md.split("\n").find((l) => l.startsWith("| flipflop | flip-flop N=1 |"));
    const dsaChecks = readJson(`${dirA}/flipflop/n1/metrics/dsa.json`).checks as {
      maxGradNorm: number;
    };
    assert.ok(popRow, "report.md lacks the flip-flop N = 1 population row");
    assert.ok(md.includes("| mean DSA | DSA max ‖∇‖ |"));
    const shown = Number(popRow.split("|").map((c) => c.trim())[12]);
    const g = dsaChecks.maxGradNorm;
    assert.ok(Math.abs(shown - g) <= Math.max(5e-4, 0.01 * g), `shown ${shown}, file ${g}`);
    const html = Deno.readTextFileSync(reportHtmlPath(dirA));
    assert.equal(
      (html.match(/<svg/g) ?? []).length,
      FIGURES.length,
      "report.html inlines every figure",
    );
    assert.doesNotMatch(html, /<img|src="figures/, "report.html must be self-contained");
    assert.deepEqual(listFiles(dirA).filter((p) => p.includes(".tmp-")), []);
  },
});

Deno.test({
  name: "a run killed in training and again in the metrics resumes to the same results",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nets = networkFiles(dirB);
    const mets = metricFiles(dirB);
    const snapshot = new Map<string, { text: string; mtime: number }>();
    const takeSnapshot = () => {
      for (const p of existing([...nets, ...mets])) {
        // Whatever exists parses (atomic writes); stale temp files are swept by the rerun.
        const text = Deno.readTextFileSync(p);
        const schema = JSON.parse(text).schema;
        assert.ok(schema === SCHEMA.network || schema === SCHEMA.metric, p);
        if (!snapshot.has(p)) snapshot.set(p, { text, mtime: Deno.statSync(p).mtime!.getTime() });
      }
    };
    // Kill 1: during training, once a third of the networks are saved.
    const killed1 = await killWhen(
      spawnReproduce(dirB),
      () => existing(nets).length >= nets.length / 3,
    );
    assert.ok(killed1.killed, "the run finished before it could be killed");
    assert.ok(existing(nets).length < nets.length);
    // A saved network made unreadable (valid JSON, a null weight matrix): the next run names the
    // file and the field, moves it aside and retrains it (to the same weights, checked below).
    const corrupt = existing(nets)[0];
    const rec = readJson(corrupt) as { final: { wh: unknown }; shape: { hidden: number } };
    rec.final.wh = null;
    Deno.writeTextFileSync(corrupt, JSON.stringify(rec));
    takeSnapshot();
    snapshot.delete(corrupt);
    // Kill 2: later, once ten more metric files are written.
    const metsBefore = existing(mets).length;
    const killed2 = await killWhen(
      spawnReproduce(dirB),
      () => existing(mets).length >= metsBefore + 10,
    );
    assert.ok(killed2.killed, "the resumed run finished before it could be killed again");
    const retrained = killed2.stderr.split("\n").filter((l) => l.includes("retrained"));
    assert.deepEqual(retrained, [
      `[run] ${corrupt}: final.wh must be an array of ${rec.shape.hidden} rows: ` +
      `unreadable, so it is retrained (kept as ${corrupt}.unreadable)`,
    ]);
    assert.ok(existing(mets).length < mets.length);
    takeSnapshot();
    await runToEnd(dirB);
    // No lost work: files finished before a kill were not rewritten.
    for (const [p, s] of snapshot) {
      assert.equal(Deno.statSync(p).mtime!.getTime(), s.mtime, `${p} was redone`);
      assert.equal(Deno.readTextFileSync(p), s.text);
    }
    // Same results as the uninterrupted run (wall times aside).
    const rel = (p: string) => p.slice(dirB.length);
    for (const p of [...nets, ...mets]) {
      assert.equal(stable(p), stable(dirA + rel(p)), `${rel(p)} differs`);
    }
    assert.equal(stable(claimsPath(dirB)), stable(claimsPath(dirA)));
    for (const f of FIGURES) {
      assert.equal(
        Deno.readTextFileSync(`${dirB}/figures/${f}.svg`),
        Deno.readTextFileSync(`${dirA}/figures/${f}.svg`),
        `${f}.svg differs`,
      );
    }
    assert.deepEqual(listFiles(dirB).filter((p) => p.includes(".tmp-")), []);
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  },
});
