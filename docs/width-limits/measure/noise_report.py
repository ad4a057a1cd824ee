"""Summaries of measure/noise_<tag>.npz: per-width geometric means, seed spreads, error ratios, and the
distribution of fitted slopes for groups of S seeds on a ladder.   python measure/noise_report.py TAG"""
import sys, itertools
import numpy as np
d = np.load(f"measure/noise_{sys.argv[1]}.npz")
keys = sorted({k.rsplit("|", 2)[0] for k in d.files})
widths = sorted({int(k.rsplit("|", 2)[1]) for k in d.files})
def get(prefix, n, q):
    k = f"{prefix}|{n}|{q}"
    return d[k] if k in d.files else None
for prefix in sorted({k.rsplit("|", 2)[0] for k in d.files}):
    print("==", prefix)
    for q in ["gap", "mfgf", "drift", "dH", "dHrel", "decay"]:
        rows = []
        for n in widths:
            v = get(prefix, n, q)
            if v is None: continue
            e = get(prefix, n, {"gap": "err", "mfgf": "mfgf_err"}.get(q, "none"))
            v = v[np.isfinite(v)]
            gm = np.exp(np.mean(np.log(np.abs(v)))) if q != "decay" else np.max(v)
            rel = np.nanmax(e / get(prefix, n, q)) if e is not None else float("nan")
            rows.append((n, gm, np.std(np.log(np.abs(v))) if q != "decay" else np.min(v), rel, len(v)))
        if rows:
            print(f"  {q:6s}", "  ".join(f"n={n}: {gm:.3g} (sd log {sd:.2f}, max e/v {rel:.1e}, k={k})" if q != "decay" else f"n={n}: max {gm:.3g}" for n, gm, sd, rel, k in rows))
def slopes(prefix, q, ladder, S, mult=None):
    L = np.log(np.array(ladder, float)); c = (L - L.mean()) / np.sum((L - L.mean()) ** 2)
    V = np.array([get(prefix, n, q) * (n ** mult if mult else 1) for n in ladder])   # (widths, seeds)
    nseeds = V.shape[1]
    out = []
    for g in range(nseeds // S):
        sub = V[:, g * S:(g + 1) * S]
        out.append(c @ np.log(sub).mean(1))
    return np.array(out)
print("\n== fitted slopes, disjoint seed groups")
for ladder in [(60, 180, 540), (180, 540, 1620), (60, 180, 540, 1620, 4860), (20, 60, 180, 540, 1620, 4860)]:
    for prefix, q, mult in [("unscaled|x^2", "gap", None), ("unscaled|x^4+x^2", "gap", None), ("unscaled||x|^3+x^2", "mfgf", None),
                            ("unscaled|x^4+x^2", "mfgf", None), ("unscaled|x^4+x^2", "drift", 0.5), ("unscaled||x|^3+x^2", "dH", None),
                            ("unscaled|x^4+x^2", "dH", None), ("scaled|x^4+x^2", "gap", None), ("scaled|x^4+x^2", "drift", 1.0),
                            ("scaled|x^4+x^2", "dHrel", None)]:
        for S in [1, 2, 4]:
            try:
                s = slopes(prefix, q, ladder, S, mult)
            except Exception as exc:
                continue
            if np.all(np.isfinite(s)):
                print(f"  ladder {ladder} {prefix} {q}{'·n^%g' % mult if mult else ''} S={S}: mean {s.mean():.3f} min {s.min():.3f} max {s.max():.3f} (groups {len(s)})")
