#!/usr/bin/python3
"""The reference trainer's per-epoch metrics for a run of li2 with
split=reference init=reference and one of the model options, rebuilt in
torch float64 (used live by tests/options.test; skipped without torch).

The network is the reference's ModularAdditionNN (yuandong-tian/understanding,
ssl/real-dataset/cogo/modular_addition_simple2.py) for num_of_ops = 2:
  embedding nn.Embedding(M, M) (frozen identity unless embed_trainable),
  W = nn.Linear(2M, K) (or Ws[i] = nn.Linear(M, K) with use_inner_product_act),
  BatchNorm1d(K) with use_bn, activation, V = nn.Linear(K, M), outputs V(x).
Weights: torch.manual_seed(seed + 2), then the modules in the reference's
construction order (the embedding's normal_ draws first), float32 draws
converted exactly to float64.  The loop is the reference's main(): each epoch
test_model (model.eval()) on the training and the test set, then model.train(),
one full-batch step of torch.optim.Adam(model.parameters(), lr, weight_decay),
then model.normalize() with the option normalize.  The split is read from li2's split.txt (sample s = a M + b).

With the option init=ckpt the initial weights are instead read from li2's
RUN_DIR/ckpt-000000.li2 (doc/checkpoint.md: W (2M x K) | V (K x M) | gamma |
beta | E (M x M), f64): for options whose torch draws li2 does not reproduce
(embed_trainable's normal_).

Usage: options_torch.py RUN_DIR M K SEED LOSS ACTIVATION LR WD EPOCHS OPTION...
  OPTION: use_bn, embed_trainable, use_inner_product_act, normalize, init=ckpt
Prints one line per epoch: epoch train_acc test_acc train_loss test_loss."""
import struct
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F


def loss_of(o, y, loss):
    if loss == "nll":
        return F.cross_entropy(o, y)
    oz = o - o.mean(dim=1, keepdim=True)
    return oz.pow(2).sum(1).mean() - 2 * oz.gather(1, y[:, None]).mean() + 1 - 1.0 / o.shape[1]


class Net(nn.Module):
    def __init__(self, M, K, act, opts):
        super().__init__()
        self.opts = opts
        if "embed_trainable" in opts:
            self.embedding = nn.Embedding(M, M)
        else:
            self.embedding = nn.Embedding(M, M).requires_grad_(False)
            with torch.no_grad():
                self.embedding.weight[:] = torch.eye(M, M)
        if "use_inner_product_act" in opts:
            self.Ws = nn.ModuleList([nn.Linear(M, K, bias=False) for _ in range(2)])
        else:
            self.W = nn.Linear(2 * M, K, bias=False)
        self.V = nn.Linear(K, M, bias=False)
        if "use_bn" in opts:
            self.bn = nn.BatchNorm1d(K)
        self.act = {"sqr": lambda x: x.pow(2), "relu": F.relu,
                    "silu": lambda x: x * torch.sigmoid(x),
                    "relusqr": lambda x: F.relu(x) ** 2}[act]

    def forward(self, x):
        if "use_inner_product_act" in self.opts:
            h = self.Ws[0](self.embedding(x[:, 0])) * self.Ws[1](self.embedding(x[:, 1]))
        else:
            h = self.W(torch.cat([self.embedding(x[:, 0]), self.embedding(x[:, 1])], dim=1))
            if "use_bn" in self.opts:
                h = self.bn(h)
            h = self.act(h)
        return self.V(h)

    def normalize(self):
        # the reference's ModularAdditionNN.normalize() (args.normalize)
        with torch.no_grad():
            if "use_inner_product_act" in self.opts:
                for W in self.Ws:
                    norms = W.weight.norm(dim=1, keepdim=True)
                    W.weight[:] /= norms.clamp(min=1)
            else:
                self.W.weight[:] -= self.W.weight.mean(dim=1, keepdim=True)
                self.V.weight[:] -= self.V.weight.mean(dim=0, keepdim=True)


def load_ckpt(net, path, M, K, opts):
    """The parameters of li2's checkpoint PATH into NET (other_layers 0)."""
    with open(path, "rb") as f:
        b = f.read()
    assert b[:8] == b"LI2CKPT\n"
    head = struct.unpack_from("<16Q", b, 24)
    nparams, clen, ntrain, ntest = head[4], head[11], head[9], head[10]
    off = 24 + 128 + clen + 4 * (ntrain + ntest)
    p = torch.tensor(struct.unpack_from("<%dd" % nparams, b, off), dtype=torch.float64)
    W, p = p[:2 * M * K].reshape(2 * M, K), p[2 * M * K:]
    V, p = p[:K * M].reshape(K, M), p[K * M:]
    with torch.no_grad():
        if "use_inner_product_act" in opts:
            net.Ws[0].weight[:] = W[:M].t()
            net.Ws[1].weight[:] = W[M:].t()
        else:
            net.W.weight[:] = W.t()
        net.V.weight[:] = V.t()
        if "use_bn" in opts:
            net.bn.weight[:], net.bn.bias[:], p = p[:K], p[K:2 * K], p[2 * K:]
        if "embed_trainable" in opts:
            net.embedding.weight[:], p = p[:M * M].reshape(M, M), p[M * M:]
    assert p.numel() == 0


def main():
    run, M, K, seed, loss, act, lr, wd, epochs = sys.argv[1:10]
    opts = set(sys.argv[10:])
    M, K, seed, epochs = int(M), int(K), int(seed), int(epochs)
    lr, wd = float(lr), float(wd)
    with open(run + "/split.txt") as f:
        head = f.readline().split()
        ntrain, ntest = int(head[4]), int(head[5])
        idx = [int(f.readline()) for _ in range(ntrain + ntest)]
    X = torch.tensor([[s // M, s % M] for s in idx])
    y = (X[:, 0] + X[:, 1]) % M
    Xtr, ytr, Xte, yte = X[:ntrain], y[:ntrain], X[ntrain:], y[ntrain:]
    torch.manual_seed(seed + 2)
    net = Net(M, K, act, opts).double()
    if "init=ckpt" in opts:
        load_ckpt(net, run + "/ckpt-000000.li2", M, K, opts)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=wd)
    for epoch in range(epochs + 1):
        net.eval()
        with torch.no_grad():
            row = [epoch]
            accs, losses = [], []
            for Xs, ys in ((Xtr, ytr), (Xte, yte)):
                o = net(Xs)
                accs.append((o.argmax(1) == ys).double().mean().item())
                losses.append(loss_of(o, ys, loss).item())
        print("%d %.17g %.17g %.17g %.17g" % (epoch, accs[0], accs[1], losses[0], losses[1]))
        if epoch == epochs:
            break
        net.train()
        opt.zero_grad()
        loss_of(net(Xtr), ytr, loss).backward()
        opt.step()
        if "normalize" in opts:
            net.normalize()


if __name__ == "__main__":
    main()
