/** Test helpers shared by the metrics tests. */

/** A random orthogonal n × n matrix (Gram–Schmidt on uniform entries). */
export function randomOrthogonal(n: number, rng: () => number): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rng() - 0.5);
    for (const u of q) {
      const d = u.reduce((a, x, i) => a + x * v[i], 0);
      for (let i = 0; i < n; i++) v[i] -= d * u[i];
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-6) q.push(v.map((x) => x / norm));
  }
  return q;
}
