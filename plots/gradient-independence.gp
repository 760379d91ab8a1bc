# Independence of the nodes (li2 gradient, doc/mathematics.md section 2): distance of
# G_F from its large-eta form (1/eta) Y~Y~^T F~, and the share of each column
# explained by the node's own feature, against eta.  Data: @DATA@ (column 2
# eta, 3 rel_distance, 4 own_share; one curve per checkpoint epoch).
set multiplot layout 2,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set logscale x
set format x ""
set xlabel ""
set logscale y
set format y "10^{%L}"
set ylabel "distance to large-{/:Italic η} form"
plot @DIST_PLOT@
unset logscale y
set format y "%g"
set format x "10^{%L}"
set xlabel "ridge {/:Italic η}"
set ylabel "own-feature share"
set yrange [0:1.05]
plot @SHARE_PLOT@
unset multiplot
