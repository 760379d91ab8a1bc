#!/usr/bin/python3
"""Parity data for tests/test_solutions.c: the reference's own functions
(yuandong-tian/understanding, ssl/real-dataset/cogo: analyze_util.py's
Fourier transform, factorize_sol.py's analyze_solution and summarize46,
sol_distri.py's order count) run on weights li2 trained.

    li2 train M=23 hidden_size=128 loss_func=mse weight_decay=5e-5 \
        learning_rate=0.005 num_epochs=3000 test_size=0.1 seed=1 out=RUN
    li2 export RUN out=RUN/npy
    git --git-dir=MIRROR show HEAD:ssl/real-dataset/cogo/FILE > REFDIR/FILE
        (FILE = analyze_util.py, factorize_sol.py, draw_dyn_fig3.py)
    /usr/bin/python3 make_parity.py RUN/npy REFDIR

writes parity-weights.tsv (the nodes with max_k |A_k| > 0.05, the only ones
the analyses see, W's column then V's row at %.9g: the reference computes
in float32) and parity-ref.tsv (what the reference computes on exactly
those weights, and draw_dyn_fig3.py's compute_mps: the diagonal and
off-diagonal sums of Re r_{k1 k2 k} and |r_{a,m,k,k}| for m = 0, 1, all
times 2d as that script plots them).  Needs numpy and torch."""
import builtins, math, sys, types
import numpy as np
import torch

npy, refdir = sys.argv[1], sys.argv[2]
for m in ["common_utils", "tqdm", "pandas", "matplotlib", "matplotlib.pyplot"]:
    sys.modules[m] = types.ModuleType(m)   # imported by the scripts, unused here
sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]
sys.path.insert(0, refdir)
import analyze_util, factorize_sol, draw_dyn_fig3

W = np.load(npy + "/W.npy"); V = np.load(npy + "/V.npy")
M = V.shape[1]

def abc(W, V):
    # the reference's layera/layerb/layerc weights are li2's W[:M]^T, W[M:]^T, V^T
    la = torch.tensor(W[:M].T, dtype=torch.float32)
    lb = torch.tensor(W[M:].T, dtype=torch.float32)
    lc = torch.tensor(V.T, dtype=torch.float32)
    F = analyze_util.construct_bases(M)   # load_model_traj's transform
    A = (la.cfloat() @ F.conj() / M).t()
    B = (lb.cfloat() @ F.conj() / M).t()
    C = (lc.cfloat().t() @ F / M).t()
    return A, B, C

A, _, _ = abc(W, V)
keep = (A[:(M - 1) // 2 + 1].abs().max(dim=0).values > 0.05).nonzero().squeeze(1).tolist()
W, V = W[:, keep], V[keep, :]
with open("parity-weights.tsv", "w") as f:
    f.write("# M\t%d\tK\t%d\n" % (M, len(keep)))
    for j in range(len(keep)):
        f.write("\t".join("%.9g" % x for x in list(W[:, j]) + list(V[j, :])) + "\n")
W = np.loadtxt("parity-weights.tsv").T[:2 * M]   # exactly the stored values
V = np.loadtxt("parity-weights.tsv")[:, 2 * M:]
A, B, C = abc(W, V)
_print = builtins.print
builtins.print = lambda *a, **k: None   # analyze_solution prints every q
s = factorize_sol.analyze_solution(A, B, C)
builtins.print = _print
summ = factorize_sol.summarize46(s)
order = (A[1:(M - 1) // 2 + 1].abs() > 0.05).sum(dim=1)  # sol_distri.py
with open("parity-ref.tsv", "w") as f:
    f.write("order\t" + "\t".join(str(int(x)) for x in order) + "\n")
    for key in sorted(summ):
        f.write("summary\t%s\t%.9g\n" % (key, float(summ[key][0])))
    for q, st in ((4, s["stats4"]), (6, s["stats6"])):
        for t, v in st.items():
            if t in ("d", "cnt", "non-factorable"):
                continue
            for params in v:
                vals = []
                for p in params:
                    if p is None:
                        continue
                    for x in p:
                        x = complex(x)
                        vals.append("%.9g\t%.9g" % (x.real, x.imag))
                f.write("pair\t%d\t%s\t%s\t%s\n" % (q, t[0], t[1], "\t".join(vals)))
        f.write("nonfactorable\t%d\t%d\n" % (q, len(st["non-factorable"])))
    mps = draw_dyn_fig3.compute_mps(A[:, :, None], B[:, :, None], C[:, :, None])
    rk = mps["rkkks"][..., 0] * 2 * M
    ra = mps["ramkks"][..., 0] * 2 * M
    diag = sum(float(rk[i, i, i].real) for i in range(M))
    f.write("mps\tdiag\t%.9g\n" % diag)
    f.write("mps\toffdiag\t%.9g\n" % (float(rk.real.sum()) - diag))
    for m in (0, 1):
        f.write("mps\tra%d\t%s\n" % (m, "\t".join("%.9g" % float(ra[m, k, k].abs())
                                                 for k in range(1, (M - 1) // 2 + 1))))
