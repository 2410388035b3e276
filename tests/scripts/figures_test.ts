import assert from "node:assert/strict";
import { XMLValidator } from "npm:fast-xml-parser@5.12.1";
import { buildFigures, renderSvg } from "../../scripts/report/figures.ts";
import type { VariantData } from "../../scripts/report/claims.ts";

/** Number of data marks (points, bars, lines) vega drew into an SVG. */
export function dataMarks(svg: string): number {
  return (svg.match(/role="graphics-symbol"/g) ?? []).length;
}

function variant(study: string, level: number, values: number[]): VariantData {
  const m = values.map((a) => values.map((b) => Math.abs(a - b)));
  return {
    study,
    variant: `v${level}`,
    label: `${study} ${level}`,
    level,
    complexity: { input: level, output: 2 * level, timeAveraged: { input: level, output: level } },
    ids: values.map((_, i) => `${study}/v${level}/m${i}`),
    perNetwork: {
      dimensionality: values,
      attractorness: values,
      distance_from_init: values,
      ood: values,
    },
    pairwise: { dsa: m, pif: m },
  };
}

Deno.test("every figure renders headlessly to a valid SVG showing the data", async () => {
  const variants = [
    variant("flipflop", 1, [1, 2, 4]),
    variant("flipflop", 2, [1, 1.5, 2]),
    variant("sine_freq", 1, [3, 4, 5]),
    variant("sine_freq", 4, [3, 3.1, 3.2]),
    variant("aux_loss", 0, [1, 2, 3]),
    variant("aux_loss", 1, [1, 2, 2.5]),
  ];
  const mds = new Map([["flipflop/v1", [[0, 0], [1, 0], [3, 0]]], ["flipflop/v2", [
    [0, 0],
    [0.5, 0],
    [1, 0],
  ]]]);
  const figs = buildFigures({
    variants,
    mds,
    experiments: ["flipflop", "sine_freq"],
    controls: ["aux_loss"],
  });
  const names = figs.map((f) => f.name);
  for (
    const n of [
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
      "figA1_attractorness",
    ]
  ) assert.ok(names.includes(n), n);
  for (const f of figs) {
    const svg = await renderSvg(f.spec);
    assert.equal(XMLValidator.validate(svg), true, f.name);
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/, f.name);
    assert.ok(dataMarks(svg) > 0, `${f.name} has no data marks`);
  }
  // The DSA panel draws one point per pair (3 pairs × 4 experiment variants) plus mean marks.
  const dsa = await renderSvg(figs.find((f) => f.name === "fig3a_dsa")!.spec);
  assert.ok(dataMarks(dsa) >= 12, `fig3a has ${dataMarks(dsa)} marks`);
  // Pair value 3 (|1 − 4|) of flip-flop level 1 appears in the marks' labels.
  assert.match(dsa, /aria-label="level: 1; DSA distance: 3"/);
});

Deno.test("a figure without data says so in its title", async () => {
  const figs = buildFigures({ variants: [], mds: new Map(), experiments: [], controls: [] });
  const svg = await renderSvg(figs.find((f) => f.name === "fig3a_dsa")!.spec);
  assert.match(svg, /no data/);
});
