#!/usr/bin/env python3
"""li2 from Python, notebook style: run it top to bottom (python3
examples/python-quickstart.py) or paste the cells into Jupyter.

Needs NumPy and libli2 (installed, or LI2_LIBRARY=src/.libs/libli2.so with
PYTHONPATH=python from a build tree).  Each cell prints what it computes."""
import os
import tempfile

import numpy as np

import li2

np.set_printoptions(precision=4, suppress=True)

# %% 1. A group and its character table: S4, 24 elements, 5 irreps
S4 = li2.Group("S4")
ct = S4.characters()
print(S4, "abelian:", S4.abelian)
print("class sizes   ", ct.class_sizes)
print("element orders", ct.class_orders)
print("character table (rows irreps, columns classes):")
print(ct.table.real)
print("degrees", ct.degrees, " sum d^2 =", int((ct.degrees ** 2).sum()))

# %% 2. Fourier power of a vector on the group: how much of u lies in
# each real irreducible component (sums to |u|^2)
u = np.random.default_rng(0).standard_normal(S4.order)
p = li2.fourier_power(S4, u)
print("power per component", p, " sum", round(p.sum(), 10), " |u|^2", round(u @ u, 10))

# %% 3. The Stage II energy of one node on Z_23 and its certified maxima:
# every non-trivial component is a maximum at the predicted level M/(2 d_R)
Z23 = li2.Group("Z23")
E = li2.Energy(Z23, activation="sqr")
mx = E.maxima(starts=8, seed=1)
found = mx["energy"][mx["label"] == 0]
print("maxima found:", len(found), " energies", np.unique(found.round(6)),
      " predicted", Z23.characters().predicted_energy(1))

# %% 4. Train a small network on Z_23 (the paper's modular addition) and
# watch it generalise
# (li2 report's defaults: mse loss, Adam, lr 0.003, weight decay 5e-4,
# 40% of the pairs held out)
t, m = li2.train(group="Z23", hidden_size=128, num_epochs=1000, eval_interval=200,
                 loss_func="mse", optim="adam", learning_rate=0.003, weight_decay=5e-4,
                 test_size=0.4, seed=1)
for row in m:
    print("epoch %4d  train acc %.3f  test acc %.3f  |W| %.3f"
          % (row["epoch"], row["train_acc"], row["test_acc"], row["w_norm"]))
W = t.W                                  # (2 M) x K: rows 0..M-1 are u, M..2M-1 are v
print("W", W.shape, "V", t.V.shape)

# %% 5. What did the hidden nodes learn?  The Fourier power of each node's u
pw = li2.fourier_power(Z23, W[:Z23.order].T)        # K x ncomponents
top = pw.argmax(axis=1)
print("nodes per dominant component:", np.bincount(top, minlength=pw.shape[1])[1:])

# %% 6. li2 compare: nodes at a predicted maximum, frequencies covered
r = t.compare()
print("test acc %.3f, active nodes %d, at a predicted maximum %.3f, coverage %d/%d"
      % (r["test_acc"], r["active_nodes"], r["at_predicted_max_fraction"],
         len(r["coverage"]), len(r["coverage"]) + len(r["missing"])))

# %% 7. Save, export to NumPy files, and load back
with tempfile.TemporaryDirectory() as d:
    t.save(os.path.join(d, "checkpoint.li2"))
    li2.export(d, os.path.join(d, "npy"))
    print("exported:", sorted(os.listdir(os.path.join(d, "npy"))))
    W2 = np.load(os.path.join(d, "npy", "W.npy"))
    print("W.npy equals the trainer's W:", np.array_equal(W2, W))
