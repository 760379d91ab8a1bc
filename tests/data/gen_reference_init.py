#!/usr/bin/python3
"""Record the reference trainer's initial weights for li2's init=reference test.

The reference (yuandong-tian/understanding, ssl/real-dataset/cogo/
modular_addition_simple2.py) seeds with common_utils.set_all_seeds(seed),
whose torch.manual_seed(seed + 2) (ssl/common_utils/helper.py:160) drives
the CPU generator, then builds ModularAdditionNN (lines 230-253): an
nn.Embedding(M, M) (overwritten by the identity, but its normal_ draws
count), nn.Linear(num_of_ops*M, K), other_layers x nn.Linear(K, K),
nn.Linear(K, M), and V.weight *= top_layer_init_multiplier.  This script
builds the same modules in the same order and records every weight as its
float32 bit pattern.  Needs python3-torch (Debian).

Output (reference-init.txt): per case a header line
    case SEED M NUM_OF_OPS K OTHER_LAYERS TOP_MULT
then lines "W", "L0", ..., "V", each followed by the weight's float32 bits
(8 hex digits) row-major in torch's (out, in) layout."""
import sys
import numpy as np
import torch
import torch.nn as nn

CASES = [(0, 5, 2, 8, 0, 1.0), (1, 7, 2, 16, 0, 1.0), (3, 3, 2, 4, 0, 1.0),
         (2, 2, 2, 6, 0, 1.0), (5, 23, 2, 32, 0, 1.0), (7, 11, 3, 12, 0, 1.0),
         (9, 13, 2, 10, 1, 1.0), (11, 6, 2, 9, 2, 0.5), (4294967295, 5, 2, 8, 0, 1.0),
         (4, 4, 2, 20, 0, 0.1)]

def bits(t):
    return " ".join("%08x" % v for v in t.detach().numpy().astype(np.float32).view(np.uint32).ravel())

def main(path):
    with open(path, "w") as f:
        f.write("# recorded by gen_reference_init.py with torch %s\n" % torch.__version__)
        for seed, M, k, K, r, mult in CASES:
            torch.manual_seed(seed + 2)
            nn.Embedding(M, M)
            W = nn.Linear(k * M, K, bias=False)
            L = [nn.Linear(K, K, bias=False) for _ in range(r)]
            V = nn.Linear(K, M, bias=False)
            with torch.no_grad():
                V.weight *= mult
            f.write("case %d %d %d %d %d %.17g\n" % (seed, M, k, K, r, mult))
            f.write("W " + bits(W.weight) + "\n")
            for i, l in enumerate(L):
                f.write("L%d " % i + bits(l.weight) + "\n")
            f.write("V " + bits(V.weight) + "\n")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reference-init.txt")
