# Independence of the nodes (li2 gradient, THEORY.md section 2): distance of
# G_F from its large-eta form (1/eta) Y~Y~^T F~, and the share of each column
# explained by the node's own feature, against eta.  Data: @DATA@ (column 2
# eta, 3 rel_distance, 4 own_share; one curve per checkpoint epoch).
set multiplot layout 2,1 margins 6.5*emx, 1-1.5*emx, 3.3*emy, 1-1.8*emy spacing 0, 1.5*emy
set logscale x
set format x ""
set xlabel ""
set logscale y
set format y "10^{%L}"
set ylabel "distance to large-{/:Italic η} form"
set key at graph 0.5, graph 1 center bottom horizontal
plot @DIST_PLOT@
unset logscale y
set format y "%g"
set format x "10^{%L}"
set xlabel "ridge {/:Italic η}"
set ylabel "own-feature share"
set yrange [0:1.05]
plot @SHARE_PLOT@
unset multiplot
