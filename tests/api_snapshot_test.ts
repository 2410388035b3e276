/**
 * The public API is a visible list: the names `mod.ts` exports (values from the module itself,
 * types from `deno doc --json`) must equal `tests/api_snapshot.json`. After a deliberate API
 * change, regenerate the list with `deno run -A tests/api_snapshot_test.ts --update` and commit
 * it with the change.
 */
import assert from "node:assert/strict";

const SNAPSHOT = new URL("./api_snapshot.json", import.meta.url);
const MOD = new URL("../mod.ts", import.meta.url);

interface ApiNames {
  /** Exported values (functions, classes, constants), sorted. */
  values: string[];
  /** Exported types (interfaces, type aliases), sorted. */
  types: string[];
}

const byName = (a: string, b: string) =>
  a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b);

/** The exported names of `mod.ts` by kind, as `deno doc --json` reports them. */
async function documentedNames(): Promise<{ values: string[]; types: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", MOD.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno doc failed: ${new TextDecoder().decode(out.stderr)}`);
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols: { name: string; declarations: { kind: string }[] }[] }>;
  };
  const symbols = doc.nodes[MOD.href]?.symbols;
  if (!symbols) throw new Error(`deno doc: no symbols for ${MOD.href}`);
  const values: string[] = [], types: string[] = [];
  for (const s of symbols) {
    const kinds = new Set(s.declarations.map((d) => d.kind));
    if (kinds.has("function") || kinds.has("class") || kinds.has("variable")) values.push(s.name);
    if (kinds.has("interface") || kinds.has("typeAlias")) types.push(s.name);
  }
  return { values: values.sort(byName), types: types.sort(byName) };
}

async function currentApi(): Promise<ApiNames> {
  const values = Object.keys(await import(MOD.href)).sort(byName);
  const documented = await documentedNames();
  assert.deepEqual(documented.values, values, "deno doc and the module disagree on the values");
  return { values, types: documented.types };
}

Deno.test("public API: mod.ts exports exactly the names of tests/api_snapshot.json", async () => {
  const want = JSON.parse(await Deno.readTextFile(SNAPSHOT)) as ApiNames;
  const got = await currentApi();
  const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const report = [
    ["values added", diff(got.values, want.values)],
    ["values removed", diff(want.values, got.values)],
    ["types added", diff(got.types, want.types)],
    ["types removed", diff(want.types, got.types)],
  ].filter(([, l]) => l.length > 0).map(([what, l]) => `${what}: ${(l as string[]).join(", ")}`);
  assert.deepEqual(
    report,
    [],
    `the public API changed (${report.join("; ")}); if that is deliberate, run ` +
      "`deno run -A tests/api_snapshot_test.ts --update` and commit tests/api_snapshot.json",
  );
});

if (import.meta.main && Deno.args.includes("--update")) {
  const api = await currentApi();
  await Deno.writeTextFile(SNAPSHOT, JSON.stringify(api, null, 2) + "\n");
  console.log(`${SNAPSHOT.pathname}: ${api.values.length} values, ${api.types.length} types`);
}
