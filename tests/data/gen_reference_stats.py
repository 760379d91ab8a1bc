#!/usr/bin/python3
"""Record the reference trainer's epoch-0 statistics for li2's stage1_stats test.

For a configuration run with li2's split=reference init=reference, the
reference (yuandong-tian/understanding, ssl/real-dataset/cogo/
modular_addition_simple2.py) would start from the same split (sklearn's
train_test_split, random_state=seed) and the same weights (torch.manual_seed
(seed + 2), then nn.Embedding, W, V).  This script rebuilds both in torch
float64 (the weights are the float32 draws, converted exactly) and computes,
at epoch 0 before any step, what the reference records: train and test
accuracy and loss (test_model, compute_loss), and in the training forward's
stats_tracker (lines 324-368): ~F^t~F diag/off-diag averages, FF^t distance
from ideal, FF^t diag/off-diag averages (rows of F F^T centred), and dF_norm
= |(Y - F V^T) V|.  Needs python3-torch, python3-numpy, python3-sklearn.
Output: per case "case SEED M K TEST_SIZE LOSS" then "KEY VALUE" lines."""
import sys, math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.model_selection import train_test_split

CASES = [(1, 23, 16, 0.7, "mse"), (2, 11, 8, 0.5, "nll"), (0, 13, 32, 0.3, "mse")]

def diag_off(k):
    d = k.abs().diag().mean().item()
    o = ((k.abs().sum() - k.abs().diag().sum()) / (k.shape[0] * (k.shape[0] - 1))).item()
    return d, o

def fit_diag_11(k):
    dm = k.diag().mean().item()
    om = ((k.sum() - k.diag().sum()) / (k.shape[0] * (k.shape[0] - 1))).item()
    est = (dm - om) * torch.eye(k.shape[0], dtype=k.dtype) + om
    return (torch.norm(est - k) / torch.norm(k)).item()

def loss_acc(o, y, loss):
    acc = (o.argmax(1) == y).double().mean().item()
    if loss == "nll":
        l = F.cross_entropy(o, y).item()
    else:
        oz = o - o.mean(dim=1, keepdim=True)
        l = (oz.pow(2).sum(1).mean() - 2 * oz.gather(1, y[:, None]).mean() + 1 - 1.0 / o.shape[1]).item()
    return acc, l

def main(path):
    with open(path, "w") as f:
        f.write("# recorded by gen_reference_stats.py with torch %s\n" % torch.__version__)
        for seed, M, K, ts, loss in CASES:
            X = torch.tensor([(a, b) for a in range(M) for b in range(M)])
            y = (X[:, 0] + X[:, 1]) % M
            Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=ts, random_state=seed)
            torch.manual_seed(seed + 2)
            nn.Embedding(M, M)
            W = nn.Linear(2 * M, K, bias=False).weight.detach().double()
            V = nn.Linear(K, M, bias=False).weight.detach().double()
            def feats(Xs):
                E = torch.cat([F.one_hot(Xs[:, 0], M), F.one_hot(Xs[:, 1], M)], 1).double()
                return (E @ W.t()).pow(2)  # activation sqr
            Ftr, Fte = feats(Xtr), feats(Xte)
            tra, trl = loss_acc(Ftr @ V.t(), ytr, loss)
            tea, tel = loss_acc(Fte @ V.t(), yte, loss)
            xz = Ftr - Ftr.mean(0, keepdim=True)
            ftf_d, ftf_o = diag_off(xz.t() @ xz)
            k2 = Ftr @ Ftr.t()
            dist = fit_diag_11(k2)
            k2 = k2 - k2.mean(0, keepdim=True)
            pff_d, pff_o = diag_off(k2)
            Y = F.one_hot(ytr, M).double() - 1.0 / M
            dF = torch.norm((Y - Ftr @ V.t()) @ V).item()
            f.write("case %d %d %d %.17g %s\n" % (seed, M, K, ts, loss))
            for k, v in [("train_acc", tra), ("test_acc", tea), ("train_loss", trl), ("test_loss", tel),
                         ("ftf_diag", ftf_d), ("ftf_offdiag", ftf_o), ("ff_dist_ideal", dist),
                         ("pff_diag", pff_d), ("pff_offdiag", pff_o), ("df_norm", dF)]:
                f.write("%s %.17g\n" % (k, v))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reference-stats.txt")
