# Independence of the nodes in the lazy stage (doc/mathematics.md section 2): the
# relative distance of G_F from its large-eta form (1/η) Y~ Y~^T F~ (top)
# and the share of each column of G_F explained by the node's own feature
# (bottom), against the ridge η; one curve per checkpoint (li2 gradient).
# Data: @DATA@ (one block per epoch: eta, rel_distance, own_share).
set multiplot layout 2,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set logscale x
set xtics @XTICS@
set xtics format ""
set xlabel ""
set logscale y
set format y "10^{%L}"
set ylabel "relative distance"
@DIST_PLOT@
unset logscale y
set format y "%g"
set xtics format "10^{%L}"
set xlabel "ridge {/:Italic η}"
set ylabel "own-feature share"
set yrange [0:1.05]
@SHARE_PLOT@
unset multiplot
