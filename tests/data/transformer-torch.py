#!/usr/bin/env python3
"""Record a PyTorch run of the reference transformer for tests/test_transformer.c.

The model is built as modular_addition_simple2.py's ModularAdditionTransformer
builds it (nn.Embedding, a learned position, nn.TransformerEncoder of post-norm
nn.TransformerEncoderLayer with dropout 0 and batch_first, mean over tokens, a
bias-free top layer), in float64, with small sizes.  Written: the sizes, every
parameter in li2's order (src/transformer.h), the samples, the logits, the nll
loss and its gradient for every parameter.  Run:
    /usr/bin/python3 tests/data/transformer-torch.py > tests/data/transformer-torch.txt
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)
M, T, d, H, L, dff, n = 7, 2, 8, 2, 2, 12, 10
act_name = "sqr"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(M, d)
        self.pos_encoder = nn.Parameter(torch.zeros(1, T, d))
        nn.init.normal_(self.pos_encoder, mean=0, std=0.02)
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
# the clones start equal; perturb every parameter so that each layer differs
with torch.no_grad():
    for p in net.parameters():
        p.add_(0.1 * torch.randn_like(p))
net.train()
x = torch.randint(0, M, (n, T))
y = (x[:, 0] + x[:, 1]) % M
out = net(x)
loss = F.cross_entropy(out, y)
loss.backward()


def li2_order(t):
    """Parameters in li2's order with their gradients."""
    seq = [net.embedding.weight, net.pos_encoder.reshape(T, d)]
    gseq = [net.embedding.weight.grad, net.pos_encoder.grad.reshape(T, d)]
    for lay in net.transformer_encoder.layers:
        ps = [lay.self_attn.in_proj_weight, lay.self_attn.in_proj_bias, lay.self_attn.out_proj.weight,
              lay.self_attn.out_proj.bias, lay.linear1.weight, lay.linear1.bias, lay.linear2.weight,
              lay.linear2.bias, lay.norm1.weight, lay.norm1.bias, lay.norm2.weight, lay.norm2.bias]
        seq += ps
        gseq += [p.grad for p in ps]
    seq.append(net.V.weight)
    gseq.append(net.V.weight.grad)
    return seq if t == "p" else gseq


def flat(ts):
    return torch.cat([t.reshape(-1) for t in ts]).tolist()


print("# li2 transformer test data: PyTorch %s, float64" % torch.__version__)
print("sizes", M, T, d, H, L, dff, n, act_name)
print("params", " ".join("%.17g" % v for v in flat(li2_order("p"))))
print("x", " ".join(str(v) for v in x.reshape(-1).tolist()))
print("y", " ".join(str(v) for v in y.tolist()))
print("logits", " ".join("%.17g" % v for v in out.reshape(-1).tolist()))
print("loss %.17g" % loss.item())
print("grad", " ".join("%.17g" % v for v in flat(li2_order("g"))))
