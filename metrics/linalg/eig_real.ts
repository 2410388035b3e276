/**
 * Eigenvalues of a general real matrix (Gaussian-elimination Hessenberg reduction + Francis
 * double-shift QR, values only), in plain TypeScript.
 *
 * @module
 */

/**
 * Eigenvalues of a general real n×n matrix (row-major), as `{re, im}` arrays in no
 * particular order. Hessenberg reduction by stabilised elimination, then the Francis
 * double-shift QR iteration (values only; after Numerical Recipes `elmhes`/`hqr`).
 */
export function eigenvaluesReal(
  aIn: Float64Array,
  n: number,
): { re: Float64Array; im: Float64Array } {
  // 1-based accessors on a copy
  // 1-based copy with row stride W = n + 1
  const W = n + 1;
  const a = new Float64Array(W * W);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[(i + 1) * W + j + 1] = aIn[i * n + j];
  for (let m = 2; m < n; m++) {
    let x = 0;
    let i = m;
    for (let j = m; j <= n; j++) {
      if (Math.abs(a[j * W + (m - 1)]) > Math.abs(x)) {
        x = a[j * W + (m - 1)];
        i = j;
      }
    }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) {
        const t = a[i * W + j];
        a[i * W + j] = a[m * W + j];
        a[m * W + j] = t;
      }
      for (let j = 1; j <= n; j++) {
        const t = a[j * W + i];
        a[j * W + i] = a[j * W + m];
        a[j * W + m] = t;
      }
    }
    if (x !== 0) {
      for (i = m + 1; i <= n; i++) {
        let y = a[i * W + (m - 1)];
        if (y !== 0) {
          y /= x;
          a[i * W + (m - 1)] = y;
          const ri = i * W, rm = m * W;
          for (let j = m; j <= n; j++) a[ri + j] -= y * a[rm + j];
          for (let j = 1; j <= n; j++) a[j * W + m] += y * a[j * W + i];
        }
      }
    }
  }
  for (let i = 3; i <= n; i++) for (let j = 1; j <= i - 2; j++) a[i * W + j] = 0;
  const wr = new Float64Array(n + 1), wi = new Float64Array(n + 1);
  let anorm = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i * W + j]);
  }
  let nn = n;
  let t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[(l - 1) * W + (l - 1)]) + Math.abs(a[l * W + l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l * W + (l - 1)]) + s === s) {
          a[l * W + (l - 1)] = 0;
          break;
        }
      }
      x = a[nn * W + nn];
      if (l === nn) {
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = a[(nn - 1) * W + (nn - 1)];
        w = a[nn * W + (nn - 1)] * a[(nn - 1) * W + nn];
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? Math.abs(z) : -Math.abs(z));
            wr[nn - 1] = wr[nn] = x + z;
            if (z) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn] = z;
            wi[nn - 1] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) throw new Error("eigenvaluesReal: QR iteration did not converge");
          if (its === 10 || its === 20 || its === 40) {
            t += x;
            for (let i = 1; i <= nn; i++) a[i * W + i] = a[i * W + i] - x;
            s = Math.abs(a[nn * W + (nn - 1)]) + Math.abs(a[(nn - 1) * W + (nn - 2)]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m * W + m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[(m + 1) * W + m] + a[m * W + (m + 1)];
            q = a[(m + 1) * W + (m + 1)] - z - r - s;
            r = a[(m + 2) * W + (m + 1)];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m * W + (m - 1)]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) *
              (Math.abs(a[(m - 1) * W + (m - 1)]) + Math.abs(z) +
                Math.abs(a[(m + 1) * W + (m + 1)]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i * W + (i - 2)] = 0;
            if (i !== m + 2) a[i * W + (i - 3)] = 0;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k * W + (k - 1)];
              q = a[(k + 1) * W + (k - 1)];
              r = 0;
              if (k !== nn - 1) r = a[(k + 2) * W + (k - 1)];
              if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const sq = Math.sqrt(p * p + q * q + r * r);
            if ((s = p >= 0 ? sq : -sq) !== 0) {
              if (k === m) {
                if (l !== m) a[k * W + (k - 1)] = -a[k * W + (k - 1)];
              } else a[k * W + (k - 1)] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k * W + j] + q * a[(k + 1) * W + j];
                if (k !== nn - 1) {
                  p += r * a[(k + 2) * W + j];
                  a[(k + 2) * W + j] = a[(k + 2) * W + j] - p * z;
                }
                a[(k + 1) * W + j] = a[(k + 1) * W + j] - p * y;
                a[k * W + j] = a[k * W + j] - p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i * W + k] + y * a[i * W + (k + 1)];
                if (k !== nn - 1) {
                  p += z * a[i * W + (k + 2)];
                  a[i * W + (k + 2)] = a[i * W + (k + 2)] - p * r;
                }
                a[i * W + (k + 1)] = a[i * W + (k + 1)] - p * q;
                a[i * W + k] = a[i * W + k] - p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr.subarray(1), im: wi.subarray(1) };
}
