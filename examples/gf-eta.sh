#!/bin/sh
# G_F against eta (doc/mathematics.md sections 2 and 5; li2 verify C2, C3, C5):
# Z_23 with n = 250 random training pairs, 24 random nodes (std 1) plus
# exact features at components 1, 2, 3 (six nodes each); eta over
# 1e-2..1e8 (21 values).  Writes gf-eta.pdf (|G_F| and closed form against
# backprop over eta), independence.pdf (distance to the large-eta form,
# own-feature share) and modulation.pdf (label-space power inside S).
#
# Runtime: under a second on this 2-core machine.
#
# usage: examples/gf-eta.sh [OUTDIR]
set -e
LI2=${LI2:-li2}
out=${1:-gf-eta}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
"$LI2" gradient group=Z23 train_size=250 fresh=24 fresh_scale=1 nodes=1,2,3x6 \
  eta=1e-2:1e8:log:21 out="$out" >/dev/null
"$LI2" plot "$out" --format pdf >/dev/null
ls "$out"/*.pdf
