#!/usr/bin/env python3
"""PyTorch side of bench/transformer.sh: one full-batch forward + backward of the
reference's ModularAdditionTransformer (built as modular_addition_simple2.py
builds it), best of REPS, in ms: wall time, then the process CPU time (all threads).  Usage: transformer_torch.py M d nhead layers
dff n reps threads dtype(float32|float64)"""
import sys
import time
import torch
import torch.nn as nn
import torch.nn.functional as F

M, d, H, L, dff, n, reps, threads = (int(a) for a in sys.argv[1:9])
dtype = {"float32": torch.float32, "float64": torch.float64}[sys.argv[9]]
torch.set_num_threads(threads)
torch.set_default_dtype(dtype)
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(M, d)
        self.pos_encoder = nn.Parameter(torch.zeros(1, 2, d))
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=H, dim_feedforward=dff, dropout=0.0,
                                           activation="relu", batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers=L)
        self.V = nn.Linear(d, M, bias=False)

    def forward(self, x):
        return self.V(self.transformer_encoder(self.embedding(x) + self.pos_encoder).mean(dim=1))


net = Net()
net.train()
i = torch.arange(n)
x = torch.stack([i % M, (i // M) % M], dim=1)
y = (x[:, 0] + x[:, 1]) % M
best = cbest = 1e300
for k in range(reps + 1):
    t0 = time.perf_counter()
    c0 = time.process_time()
    net.zero_grad()
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    if k > 0:
        best = min(best, time.perf_counter() - t0)
        cbest = min(cbest, time.process_time() - c0)
print("%.1f %.1f" % (1e3 * best, 1e3 * cbest))
