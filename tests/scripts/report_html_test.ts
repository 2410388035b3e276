/**
 * The report as a reader sees it: `report.html` of a smoke run rendered in headless Chromium
 * (Debian's `chromium`) in a 1000 × 800 window.
 * - Every figure of `figures/` is in the page, drawn (an SVG of non-zero size) and inside the
 *   window; the page itself does not scroll sideways (wide tables scroll in their own box).
 * - No "undefined", "NaN" or "[object Object]" anywhere in the page, the Markdown report or the
 *   claims' notes.
 * - A complete run has no warning at the top; after a metric file is deleted (and a stale temp
 *   file and an error record without its fields left behind), `report` removes the temp file,
 *   the report's first lines say the run is incomplete and name the unit that is not done,
 *   above everything else on the page, and the notes list the error record without "undefined".
 *
 * Without Chromium the test is skipped with a message saying so, unless
 * `DEGENERACY_REQUIRE_CHROMIUM=1` (set by `.ci/run`, which installs it), where a missing browser
 * fails it. `DEGENERACY_CHROMIUM` may name the browser binary.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const WINDOW = { width: 1000, height: 800 };

/** The Chromium binary: `DEGENERACY_CHROMIUM`, else the first of the usual names on PATH. */
function findChromium(): string | null {
  const named = Deno.env.get("DEGENERACY_CHROMIUM");
  if (named) return named;
  const dirs = (Deno.env.get("PATH") ?? "/usr/bin").split(":");
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const d of dirs) {
      try {
        if (Deno.statSync(`${d}/${name}`).isFile) return `${d}/${name}`;
      } catch {
        // not here
      }
    }
  }
  return null;
}

const CHROMIUM = findChromium();
const REQUIRED = Deno.env.get("DEGENERACY_REQUIRE_CHROMIUM") === "1";
if (!CHROMIUM && !REQUIRED) {
  console.warn(
    "report_html_test: SKIPPED: no Chromium on PATH (install Debian's `chromium`, or set " +
      "DEGENERACY_CHROMIUM); .ci/run installs it and requires this test",
  );
}

/** What the probe script measures in the rendered page. */
interface Layout {
  innerWidth: number;
  scrollWidth: number;
  figures: { id: string; svg: boolean; left: number; right: number; width: number }[];
  /** Text around every "undefined", "NaN" or "[object Object]" in the page. */
  bad: string[];
  /** Top of the run warnings (null: none), of the first h2 and of the first figure. */
  warningsTop: number | null;
  warningsText: string | null;
  firstH2Top: number;
  firstFigureTop: number | null;
}

/** Measures the page once it has loaded and writes the result into the DOM as JSON. */
const PROBE = `<script>
window.addEventListener("load", () => {
  const top = (e) => e ? e.getBoundingClientRect().top + window.scrollY : null;
  const text = document.body.innerText;
  const bad = [...text.matchAll(/\\bundefined\\b|\\bNaN\\b|\\[object Object\\]/g)]
    .map((m) => text.slice(Math.max(0, m.index - 60), m.index + 20));
  const w = document.getElementById("run-warnings");
  const out = {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    figures: [...document.querySelectorAll("figure")].map((f) => {
      const s = f.querySelector("svg");
      const b = s ? s.getBoundingClientRect() : { left: 0, right: 0, width: 0 };
      return { id: f.id, svg: !!s, left: b.left, right: b.right, width: b.width };
    }),
    bad,
    warningsTop: top(w),
    warningsText: w ? w.innerText : null,
    firstH2Top: top(document.querySelector("h2")),
    firstFigureTop: top(document.querySelector("figure")),
  };
  const pre = document.createElement("pre");
  pre.id = "layout-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>`;

/** Renders `html` (a file) in headless Chromium and returns the probe's measurements. */
async function render(html: string, scratch: string): Promise<Layout> {
  const page = `${scratch}/page.html`;
  const text = await Deno.readTextFile(html);
  assert.ok(text.includes("</body>"), `${html} has no </body>`);
  await Deno.writeTextFile(page, text.replace("</body>", `${PROBE}</body>`));
  const out = await new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${scratch}/profile`,
      `--window-size=${WINDOW.width},${WINDOW.height}`,
      "--virtual-time-budget=10000",
      "--dump-dom",
      `file://${page}`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const dom = new TextDecoder().decode(out.stdout);
  const m = dom.match(/<pre id="layout-probe">(.*?)<\/pre>/s);
  assert.ok(
    m,
    `chromium rendered no probe result (exit ${out.code}):\n` +
      new TextDecoder().decode(out.stderr).slice(-2000),
  );
  const json = m[1].replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  return JSON.parse(json) as Layout;
}

/** Checks that every figure file is on the page, drawn and inside the window. */
function assertFiguresFit(layout: Layout, expected: string[], what: string): void {
  assert.equal(layout.innerWidth, WINDOW.width, `${what}: window width`);
  const ids = layout.figures.map((f) => f.id).sort();
  assert.deepEqual(ids, [...expected].sort(), `${what}: figures on the page`);
  for (const f of layout.figures) {
    assert.ok(f.svg && f.width > 0, `${what}: ${f.id} is not drawn`);
    assert.ok(
      f.left >= 0 && f.right <= layout.innerWidth,
      `${what}: ${f.id} spans ${f.left}–${f.right} px, outside the ${layout.innerWidth}-px window`,
    );
  }
  assert.ok(
    layout.scrollWidth <= layout.innerWidth,
    `${what}: the page is ${layout.scrollWidth} px wide in a ${layout.innerWidth}-px window`,
  );
  assert.deepEqual(layout.bad, [], `${what}: "undefined", "NaN" or "[object Object]" on the page`);
}

/** Every file under `dir` (relative paths). */
function walk(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...walk(dir, rel));
    else out.push(rel);
  }
  return out;
}

async function deno(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
}

Deno.test({
  name: "report.html in headless Chromium: every figure inside a 1000-px window, the truth on top",
  ignore: !CHROMIUM && !REQUIRED,
  sanitizeResources: false,
  fn: async () => {
    assert.ok(
      CHROMIUM,
      "DEGENERACY_REQUIRE_CHROMIUM=1 but no Chromium on PATH (apt-get install -y chromium)",
    );
    const dir = await Deno.makeTempDir({ prefix: "report_html_" });
    const scratch = await Deno.makeTempDir({ prefix: "report_html_chromium_" });
    try {
      const run = await deno([
        "run",
        "-A",
        "scripts/reproduce.ts",
        "--preset",
        "smoke",
        "--out",
        dir,
        "--quiet",
      ]);
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      const figures = [...Deno.readDirSync(`${dir}/figures`)]
        .filter((e) => e.name.endsWith(".svg"))
        .map((e) => e.name.replace(/\.svg$/, ""));
      assert.ok(figures.length >= 10, `only ${figures.length} figures`);

      // a complete run: figures fit, no warning on top, no "undefined" anywhere
      const complete = await render(`${dir}/report.html`, scratch);
      assertFiguresFit(complete, figures, "complete run");
      assert.equal(complete.warningsTop, null, `complete run warns: ${complete.warningsText}`);
      const md = await Deno.readTextFile(`${dir}/report.md`);
      assert.doesNotMatch(md, /\bundefined\b|\bNaN\b|\[object Object\]/);
      const claims = JSON.parse(await Deno.readTextFile(`${dir}/claims.json`)) as {
        claims: { id: string; note: string }[];
      };
      for (const c of claims.claims) {
        assert.doesNotMatch(c.note, /\bundefined\b|\bNaN\b|\[object Object\]/, c.id);
      }

      // an incomplete run (one metric file gone) and a stale temp file from a killed writer
      const metric = walk(dir).filter((p) => /^flipflop\/.*\/metrics\/dsa\.json$/.test(p))[0];
      assert.ok(metric, "no flip-flop DSA file in the smoke run");
      await Deno.remove(`${dir}/${metric}`);
      const stale = `${dir}/claims.json.tmp-4194304-0`;
      await Deno.writeTextFile(stale, "{");
      // an error record without its fields (written by another tool): no "undefined" in notes
      await Deno.mkdir(`${dir}/errors`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/errors/other__unit.json`,
        JSON.stringify({ schema: "degeneracy.unit-error/1" }),
      );
      const report = await deno([
        "run",
        "--no-prompt",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "--allow-sys=hostname",
        "scripts/report.ts",
        "--out",
        dir,
        "--quiet",
      ]);
      assert.equal(report.code, 0, report.stderr);
      assert.equal(
        await Deno.stat(stale).then(() => true, () => false),
        false,
        "report left the stale temp file",
      );
      const lines = (await Deno.readTextFile(`${dir}/report.md`)).split("\n");
      assert.match(lines[0], /^# Reproduction report/);
      assert.match(lines[2], /^> \*\*Incomplete run: 1 of \d+ units are not done\*\*/);
      const variant = metric.split("/")[1];
      assert.ok(
        lines.slice(2, 8).some((l) => l.startsWith("> Not done: ") && l.includes(variant)),
        `the first lines do not name the missing unit of flipflop/${variant}:\n` +
          lines.slice(0, 8).join("\n"),
      );
      assert.ok(
        lines.includes(
          "- Unit failed: other/unit (stage stage not recorded): no message recorded (no value; its claims use the other variants)",
        ),
        "the error record without fields is not listed as such",
      );
      const incomplete = await render(`${dir}/report.html`, scratch);
      assertFiguresFit(incomplete, figures, "incomplete run");
      assert.ok(incomplete.warningsTop !== null, "no warning on the page of an incomplete run");
      assert.match(incomplete.warningsText!, /Incomplete run: 1 of \d+ units are not done/);
      assert.ok(
        incomplete.warningsTop < incomplete.firstH2Top &&
          incomplete.warningsTop < (incomplete.firstFigureTop ?? Infinity),
        "the warning is not above the claims and figures",
      );
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  },
});
