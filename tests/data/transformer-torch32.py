#!/usr/bin/env python3
"""Record a float32 PyTorch run of the reference transformer on the weights of
tests/data/transformer-torch.txt, for li2's precision=float path
(tests/test_transformer.c).

The model is built as transformer-torch.py builds it (the reference's
ModularAdditionTransformer: nn.Embedding, a learned position, post-norm
nn.TransformerEncoderLayer with dropout 0 and batch_first, mean over tokens, a
bias-free top layer), in float32, and loaded with the recorded float64
parameters rounded to float32 (as model.float() rounds them).  Written: the
float32 logits (printed exactly, %.9g), the nll loss and the gradient of
every parameter in li2's order.  Run:
    /usr/bin/python3 tests/data/transformer-torch32.py tests/data/transformer-torch.txt \\
        > tests/data/transformer-torch32.txt
"""
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

rec = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    key, *vals = line.split()
    rec[key] = vals
M, T, d, H, L, dff, n = (int(v) for v in rec["sizes"][:7])
act_name = rec["sizes"][7]
torch.set_default_dtype(torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(M, d)
        self.pos_encoder = nn.Parameter(torch.zeros(1, T, d))
        act = (lambda x: x.pow(2)) if act_name == "sqr" else act_name
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=H, dim_feedforward=dff, dropout=0.0,
                                           activation=act, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers=L,
                                                         enable_nested_tensor=False)
        self.V = nn.Linear(d, M, bias=False)

    def forward(self, x):
        h = self.embedding(x) + self.pos_encoder
        h = self.transformer_encoder(h)
        return self.V(h.mean(dim=1))


net = Net()


def li2_order():
    seq = [net.embedding.weight, net.pos_encoder]
    for lay in net.transformer_encoder.layers:
        seq += [lay.self_attn.in_proj_weight, lay.self_attn.in_proj_bias,
                lay.self_attn.out_proj.weight, lay.self_attn.out_proj.bias, lay.linear1.weight,
                lay.linear1.bias, lay.linear2.weight, lay.linear2.bias, lay.norm1.weight,
                lay.norm1.bias, lay.norm2.weight, lay.norm2.bias]
    seq.append(net.V.weight)
    return seq


# the recorded float64 parameters, rounded to float32
p64 = torch.tensor([float(v) for v in rec["params"]], dtype=torch.float64)
with torch.no_grad():
    k = 0
    for p in li2_order():
        p.copy_(p64[k:k + p.numel()].reshape(p.shape).to(torch.float32))
        k += p.numel()
assert k == p64.numel()
net.train()
x = torch.tensor([int(v) for v in rec["x"]]).reshape(n, T)
y = torch.tensor([int(v) for v in rec["y"]])
out = net(x)
loss = F.cross_entropy(out, y)
loss.backward()
print("# li2 transformer test data: PyTorch %s, float32, on the weights of %s"
      % (torch.__version__, sys.argv[1].split("/")[-1]))
print("logits32", " ".join("%.9g" % v for v in out.reshape(-1).tolist()))
print("loss32 %.9g" % loss.item())
print("grad32", " ".join("%.9g" % v for v in torch.cat([p.grad.reshape(-1) for p in li2_order()]).tolist()))
