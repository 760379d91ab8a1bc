# Power of each active hidden node (rows, sorted by dominant component and
# purity) in each non-trivial real irreducible component k (columns), as a
# share of the node's non-trivial power |P_k u|^2 + |P_k v|^2, at several
# epochs (li2 compare).  A learned feature is one bright cell per row.
# Data: @DATA@ (one block per panel: component, node rank, share).
set multiplot
set cbrange [0:1]
set cblabel "share of node power"
set xlabel "component {/:Italic k}"
set xtics @XTICS@
set ytics autofreq
# top and bottom margins as gnuplot measures the titles and labels: the
# same in every panel
set cblabel offset 0.5
@PANELS@
unset multiplot
