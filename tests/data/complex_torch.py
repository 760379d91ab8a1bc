#!/usr/bin/env python3
"""Expected numbers for tests/test_complex.c: the reference's complex model
(ssl/real-dataset/cogo/modular_addition_simple2.py, ModularAdditionNN with
use_complex_weights=True: W.weight and V.weight complex, x = W(embed).pow(2),
output = V(x) * output_multiplier, compute_loss on output.real) and two
steps of torch's optimisers on the complex parameters, in complex128 (the
reference runs cfloat; double precision makes the comparison exact to
rounding).  Weights come from a fixed formula with non-zero imaginary
parts (the reference starts them at 0, where they stay 0), so every
component of the gradient is exercised.

Run: python3 tests/data/complex_torch.py > tests/data/complex_torch.txt
The C test reads that file; this script is not run by `make check`.
Layout written: li2's (W as (2M) x K, V as K x M, row-major, each complex
number as re im), the transposes of torch's W.weight (K x 2M) and
V.weight (M x K)."""
import math
import torch

torch.set_default_dtype(torch.float64)


def weights(M, K):
    """W.weight (K x 2M) and V.weight (M x K), complex128, from a formula."""
    W = torch.zeros(K, 2 * M, dtype=torch.complex128)
    V = torch.zeros(M, K, dtype=torch.complex128)
    for j in range(K):
        for r in range(2 * M):
            W[j, r] = complex(0.4 * math.sin(1.3 * r + 0.7 * j + 0.1),
                              0.3 * math.cos(0.9 * r - 1.1 * j + 0.2))
        for c in range(M):
            V[c, j] = complex(0.5 * math.cos(0.8 * c + 1.7 * j + 0.3),
                              0.35 * math.sin(1.9 * c - 0.6 * j + 0.4))
    return W, V


def loss_of(o, y, loss_type):
    # compute_loss of the reference, on the real part
    o = o.real
    if loss_type == "nll":
        return torch.nn.functional.cross_entropy(o, y)
    oz = o - o.mean(dim=1, keepdim=True)
    return oz.pow(2).sum(dim=1).mean() - 2 * oz.gather(1, y.unsqueeze(1)).mean() + 1 - 1.0 / o.shape[1]


def li2_layout(Wt, Vt):
    """W (2M x K) then V (K x M), each complex as re im."""
    out = []
    for z in list(Wt.t().reshape(-1)) + list(Vt.t().reshape(-1)):
        out += [z.real.item(), z.imag.item()]
    return out


def case(name, M, K, pairs, loss_type, beta, optim, lr, wd):
    W0, V0 = weights(M, K)
    W = W0.clone().requires_grad_(True)
    V = V0.clone().requires_grad_(True)
    a = torch.tensor([p[0] for p in pairs])
    b = torch.tensor([p[1] for p in pairs])
    y = (a + b) % M
    emb = torch.cat([torch.nn.functional.one_hot(a, M), torch.nn.functional.one_hot(b, M)],
                    dim=1).to(torch.complex128)
    if optim == "adam":
        opt = torch.optim.Adam([W, V], lr=lr, weight_decay=wd)
    else:
        opt = torch.optim.SGD([W, V], lr=lr, momentum=0.9, weight_decay=wd)

    def forward():
        x = (emb @ W.t()).pow(2)
        return (x @ V.t()) * beta

    print(f"case {name} M {M} K {K} n {len(pairs)} loss {loss_type} beta {beta!r} "
          f"optim {optim} lr {lr!r} wd {wd!r}")
    print("x " + " ".join(f"{p[0]} {p[1]}" for p in pairs))
    print("params0 " + " ".join(repr(v) for v in li2_layout(W0, V0)))
    for step in range(2):
        opt.zero_grad()
        o = forward()
        loss = loss_of(o, y, loss_type)
        loss.backward()
        correct = (o.real.argmax(dim=1) == y).sum().item()
        print(f"loss{step} {loss.item()!r}")
        print(f"correct{step} {correct}")
        print(f"grad{step} " + " ".join(repr(v) for v in li2_layout(W.grad, V.grad)))
        opt.step()
        print(f"params{step + 1} " + " ".join(repr(v) for v in li2_layout(W.detach(), V.detach())))


if __name__ == "__main__":
    print(f"# tests/data/complex_torch.py, torch {torch.__version__}, complex128")
    pairs = [(0, 1), (2, 3), (4, 4), (1, 3), (3, 0), (2, 2), (4, 1), (0, 0)]
    case("adam-mse", 5, 3, pairs, "mse", 1.0, "adam", 0.01, 1e-3)
    case("sgd-nll", 5, 3, pairs, "nll", 1.7, "sgd", 0.05, 2e-3)
