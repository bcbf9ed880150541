"""NumPy reference of the general-population gradient-flow curve (issue 16), for the speed ratio
against `cargo bench --bench dynamics -- "dynamics/(gf_curve_1000|sigma_gf)"`.

The same integrals as overparam::theory::dynamics::AnisotropicDynamicsModel (docs/dynamics.md,
"General population spectra"), vectorised: the outer edges [a, b] of the support of S (geometric
bisection on the critical-point equation), the trapezoidal rule on the image under exp of the
ellipse with foci ln a, ln b (upper half of the nodes), kappa(z) at each node from
z = -kappa + gamma kappa sum_j w_j s_j/(s_j + kappa) (Newton, continued from z = 100 b e^{i pi/4}
where kappa ~ -z, then node to node), the node sums (T2, g, g', e) as (nodes x atoms) array
reductions, the divided-difference matrices F_UU, F_UL, and for all 1000 times at once: the
filters rho = e^{-tz}, q = -expm1(-tz)/z, the double integral as matrix products, the variance
and training error as sums.

Population: s_k = k^-1, equal weights, signal c_k ~ k^-1, P = 1e4; gamma = 0.5, snr 4
(r^2 = 4), sigma = 1, lambda = 0; 1000 log-spaced times in [1e-2, 1e6] (the bench
`dynamics/sigma_gf_curve_1000_p10000`). The node count is the crate's (printed by the bench);
the script also reports the difference to a rule with 4/3 as many nodes.

Checks against the crate (the CLI `overparam dynamics --spectrum powerlaw:1:10000
--signal-exponent 1 --gamma 0.5 --snr 4 --time T --format json`) at a few times.

Run: /work/venv-ref/bin/python benches/reference/dynamics_sigma.py [path/to/overparam]
"""

import json
import subprocess
import sys
import time

import numpy as np

P = 10_000
GAMMA, R2, S2, LAM = 0.5, 4.0, 1.0, 0.0
k = np.arange(1, P + 1, dtype=float)
S = 1.0 / k
W = np.full(P, 1.0 / P)
C = (1.0 / k) / np.sum(1.0 / k)
TIMES = np.geomspace(1e-2, 1e6, 1000)


def outer_edges(s, w, gamma):
    def g(u):
        return gamma * np.sum(w * (s / (u - s)) ** 2)

    def z_of_u(u):
        return u * (1.0 + gamma * np.sum(w * s / (u - s)))

    reach = np.sqrt(gamma * np.sum(w * s * s))

    def edge(anchor, sign):
        lo, hi = reach * np.finfo(float).eps ** 2, reach
        for _ in range(200):
            mid = np.sqrt(lo * hi)
            if not (lo < mid < hi):
                break
            if g(anchor + sign * mid) > 1.0:
                lo = mid
            else:
                hi = mid
        return anchor + sign * hi

    return max(z_of_u(edge(s.min(), -1.0)), 0.0), z_of_u(edge(s.max(), 1.0))


def newton(z, kap, s, w, gamma):
    for _ in range(60):
        t = s / (s + kap)
        f = kap * (1.0 - gamma * np.dot(w, t)) + z
        df = 1.0 - gamma * np.dot(w, t * t)
        step = f / df
        kap = kap - step
        if abs(step) <= 1e-15 * abs(kap):
            break
    return kap


def rule(n, lo, hi):
    half = n // 2
    wl, wh = np.log(lo), np.log(hi)
    cen, ell = 0.5 * (wl + wh), 0.5 * (wh - wl)
    mu = 0.5 * np.arcsinh(np.pi / (2.0 * ell))
    theta = 2.0 * np.pi * (np.arange(half) + 0.5) / n
    zeta = theta - 1j * mu
    z = np.exp(cen + ell * np.cos(zeta))
    wt = z * (-ell * np.sin(zeta)) / (1j * n)
    # kappa: continuation from far away (kappa ~ -z), then node to node.
    kap = np.empty(half, dtype=complex)
    far = 100.0 * hi * np.exp(0.25j * np.pi)
    cur, zc = -far, far
    for zz in np.geomspace(far, z[0], 60):
        cur = newton(zz, cur, S, W, GAMMA)
        zc = zz
    for i in range(half):
        cur = newton(z[i], cur, S, W, GAMMA)
        kap[i] = cur
    assert np.all(kap.imag < 0), "kappa off the Herglotz branch"
    inv = 1.0 / (S[None, :] + kap[:, None])  # nodes x atoms
    t = S[None, :] * inv
    t2 = (t * t) @ W
    g = t @ C
    dgk = (t * inv) @ C
    e = inv @ C
    dkdz = -1.0 / (1.0 - GAMMA * t2)
    dg = -dgk * dkdz
    a = kap / z
    with np.errstate(invalid="ignore", divide="ignore"):
        fuu = (g[:, None] - g[None, :]) / (z[:, None] - z[None, :])
    fuu[np.diag_indices(half)] = dg
    ful = (g[:, None] - np.conj(g)[None, :]) / (z[:, None] - np.conj(z)[None, :])
    return dict(z=z, wt=wt, kap=kap, a=a, e=e, fuu=fuu, ful=ful, nodes=n)


def curve(r, times):
    z, wt, kap, a, e = r["z"], r["wt"], r["kap"], r["a"], r["e"]
    u = z[None, :] + LAM
    x = -times[:, None] * u
    ex = np.exp(x)
    q = -np.expm1(x) / u
    rho = ex + LAM * q
    v = rho * (a * wt)[None, :]  # times x nodes
    double = 2.0 * np.real(np.sum(v * (v @ r["fuu"].T + np.conj(v) @ r["ful"].T), axis=1))
    bias = R2 * double
    var = S2 * 2.0 * np.real((q * q) @ (wt * kap))
    r2 = rho * rho
    train = R2 * 2.0 * np.real(r2 @ (wt * kap * e)) + S2 * (
        -2.0 * np.real(r2 @ (wt / kap)) + max(1.0 - GAMMA * W.sum(), 0.0)
    )
    return bias + var, bias, var, train


def crate(binary, t):
    out = subprocess.run(
        [binary, "dynamics", "--spectrum", "powerlaw:1:10000", "--signal-exponent", "1",
         "--gamma", "0.5", "--snr", "4", "--time", repr(t), "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.splitlines()[0])


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/overparam"
    nodes = int(sys.argv[2]) if len(sys.argv) > 2 else 192
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        lo, hi = outer_edges(S, W, GAMMA)
        r = rule(nodes, lo, hi)
        test, bias, var, train = curve(r, TIMES)
        runs.append(time.perf_counter() - t0)
    fine = curve(rule(nodes // 3 * 4, lo, hi), TIMES)[0]
    print(f"edges [{lo:.6e}, {hi:.6e}], nodes {nodes}")
    print(f"max |test(N) - test(4N/3)| over the curve: {np.max(np.abs(test - fine)):.2e}")
    print(f"numpy: median {1e3 * np.median(runs):.1f} ms, min {1e3 * min(runs):.1f} ms "
          f"(edges + rule + 1000 times)")
    worst = 0.0
    for t in [1e-2, 1.0, 100.0, 1e4, 1e6]:
        i = int(np.argmin(np.abs(TIMES - t)))
        c = crate(binary, float(TIMES[i]))
        d = abs(c["test_error"] - test[i])
        worst = max(worst, d, abs(c["train_error"] - train[i]))
        print(f"t = {TIMES[i]:.4g}: numpy test {test[i]:.12f} crate {c['test_error']:.12f} "
              f"(diff {d:.1e}); train numpy {train[i]:.12f} crate {c['train_error']:.12f}")
    print(f"largest difference to the crate: {worst:.1e}")


if __name__ == "__main__":
    main()
