#!/usr/bin/env python3
"""PyTorch CPU counterpart of `li2 train` for the speed benchmark.

Same model, loss, optimiser and full-batch step as the reference trainer
(yuandong-tian/understanding, ssl/real-dataset/cogo/modular_addition_simple2.py):
frozen identity embedding per operand, concatenation, Linear(k*M, K, no bias),
activation, Linear(K, M, no bias), the reference's centred MSE (or
cross-entropy), torch.optim.Adam / AdamW / SGD(momentum 0.9) with weight_decay.

Prints one line of JSON: seconds per epoch (median and mean over the timed
epochs; the first --warmup epochs and all set-up are excluded).  An epoch is
one full-batch training step (zero_grad, forward, loss, backward, step), the
same work li2 times as train_seconds_per_epoch.  --reference-loop adds the
reference's per-epoch evaluation of the train and test sets.

Needs python3-torch (Debian); exits with status 77 (skip) if torch is missing.
"""
import argparse
import json
import math
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("train_torch.py: torch is not installed (apt-get install python3-torch); skipping",
          file=sys.stderr)
    sys.exit(77)


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--M", type=int, default=71)
    p.add_argument("--num_of_ops", type=int, default=2)
    p.add_argument("--hidden_size", type=int, default=2048)
    p.add_argument("--train_size", type=int, default=0)
    p.add_argument("--test_size", type=float, default=0.7)
    p.add_argument("--activation", default="sqr", choices=["sqr", "relu", "silu", "relusqr"])
    p.add_argument("--loss_func", default="mse", choices=["mse", "nll"])
    p.add_argument("--optim", default="adam", choices=["sgd", "adam", "adamw"])
    p.add_argument("--learning_rate", type=float, default=1e-3)
    p.add_argument("--weight_decay", type=float, default=2e-4)
    p.add_argument("--num_epochs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--double", action="store_true", help="float64 (the reference uses float32)")
    p.add_argument("--gather", action="store_true",
                   help="index the weight rows instead of the reference's one-hot product "
                        "(what li2 does; not the reference's formulation)")
    p.add_argument("--complex", action="store_true",
                   help="use_complex_weights: W and V converted to complex (cfloat, cdouble with "
                        "--double) as the reference does, the loss on the real part")
    p.add_argument("--use_bn", action="store_true",
                   help="the reference's BatchNorm1d(K) between W and the activation")
    p.add_argument("--embed_trainable", action="store_true",
                   help="the reference's trainable nn.Embedding(M, M) before W")
    p.add_argument("--use_inner_product_act", action="store_true",
                   help="the reference's per-operand Ws[i] multiplied, no activation after")
    p.add_argument("--reference-loop", action="store_true",
                   help="also evaluate train and test sets every epoch, as the reference does")
    return p.parse_args()


class Net(nn.Module):
    """The reference's ModularAdditionNN without the unused options."""

    def __init__(self, M, k, K, activation, gather=False, cplx=False, use_bn=False,
                 embed_trainable=False, inner=False):
        super().__init__()
        if embed_trainable:
            self.embedding = nn.Embedding(M, M)
        else:
            self.embedding = nn.Embedding(M, M).requires_grad_(False)
            with torch.no_grad():
                self.embedding.weight[:] = torch.eye(M, M)
        if inner:
            self.Ws = nn.ModuleList([nn.Linear(M, K, bias=False) for _ in range(k)])
        else:
            self.W = nn.Linear(k * M, K, bias=False)
        self.V = nn.Linear(K, M, bias=False)
        self.bn = nn.BatchNorm1d(K) if use_bn else None
        self.inner = inner
        self.k = k
        self.M = M
        self.gather = gather
        self.cplx = cplx
        if cplx:  # the reference's use_complex_weights conversion
            ct = torch.cdouble if torch.get_default_dtype() == torch.float64 else torch.cfloat
            self.W.weight.data = self.W.weight.data.to(ct)
            self.V.weight.data = self.V.weight.data.to(ct)
            self.ct = ct
        self.act = {
            "sqr": lambda x: x.pow(2),
            "relu": torch.relu,
            "silu": lambda x: x * torch.sigmoid(x),
            "relusqr": lambda x: torch.relu(x) ** 2,
        }[activation]

    def forward(self, x):
        if self.inner:  # the reference's use_inner_product_act branch
            h = self.Ws[0](self.embedding(x[:, 0]))
            for i in range(1, self.k):
                h = h * self.Ws[i](self.embedding(x[:, i]))
            return self.V(h)
        if self.bn is not None:
            e = torch.concat([self.embedding(x[:, i]) for i in range(self.k)], dim=1)
            return self.V(self.act(self.bn(self.W(e))))
        if self.gather:
            wt = self.W.weight.t()
            h = sum(wt[i * self.M + x[:, i]] for i in range(self.k))
            o = self.V(self.act(h))
            return o.real if self.cplx else o
        e = torch.concat([self.embedding(x[:, i]) for i in range(self.k)], dim=1)
        if self.cplx:
            return self.V(self.act(self.W(e.to(self.ct)))).real
        return self.V(self.act(self.W(e)))


def loss_fn(o, y, kind):
    if kind == "nll":
        return F.cross_entropy(o, y)
    oz = o - o.mean(dim=1, keepdim=True)
    return oz.pow(2).sum(dim=1).mean() - 2 * oz.gather(1, y.unsqueeze(1)).mean() + 1 - 1.0 / o.shape[1]


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.double:
        torch.set_default_dtype(torch.float64)
    M, k = a.M, a.num_of_ops
    nall = M ** k
    idx = torch.arange(nall)
    X = torch.stack([(idx // M ** (k - 1 - t)) % M for t in range(k)], dim=1)
    y = X.sum(dim=1) % M
    perm = torch.randperm(nall)
    ntrain = a.train_size if a.train_size > 0 else nall - math.ceil(a.test_size * nall)
    tr, te = perm[:ntrain], perm[ntrain:]
    Xtr, ytr, Xte, yte = X[tr], y[tr], X[te], y[te]
    model = Net(M, k, a.hidden_size, a.activation, a.gather, a.complex, a.use_bn,
                a.embed_trainable, a.use_inner_product_act)
    opt = {"sgd": lambda p: torch.optim.SGD(p, lr=a.learning_rate, momentum=0.9, weight_decay=a.weight_decay),
           "adam": lambda p: torch.optim.Adam(p, lr=a.learning_rate, weight_decay=a.weight_decay),
           "adamw": lambda p: torch.optim.AdamW(p, lr=a.learning_rate, weight_decay=a.weight_decay),
           }[a.optim](model.parameters())
    times = []
    for epoch in range(a.num_epochs + a.warmup):
        t0 = time.perf_counter()
        if a.reference_loop:
            model.eval()
            with torch.no_grad():
                for xs, ys in ((Xtr, ytr), (Xte, yte)):
                    o = model(xs)
                    (o.argmax(1) == ys).float().mean().item()
                    loss_fn(o, ys, a.loss_func).item()
            model.train()
        opt.zero_grad()
        loss = loss_fn(model(Xtr), ytr, a.loss_func)
        loss.backward()
        opt.step()
        loss.item()
        t1 = time.perf_counter()
        if epoch >= a.warmup:
            times.append(t1 - t0)
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "dtype": str(torch.get_default_dtype()),
        "formulation": "gather" if a.gather else "one-hot (reference)", "complex": a.complex,
        "use_bn": a.use_bn, "embed_trainable": a.embed_trainable,
        "use_inner_product_act": a.use_inner_product_act,
        "M": M, "hidden_size": a.hidden_size, "ntrain": ntrain, "epochs": len(times),
        "seconds_per_epoch_median": statistics.median(times),
        "seconds_per_epoch_mean": statistics.fmean(times),
        "final_loss": loss.item(), "test_acc": acc,
    }))


if __name__ == "__main__":
    main()
