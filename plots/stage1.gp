# Fig. 3's diagnostics (li2 train stage1_stats=true; the paper's Fig. 3):
# |G_F| (top), the off-diagonal / diagonal ratio of F~^T F~ and of P F F^T
# with the caption's 8% (middle, dashed), and the cosine distance of W and of V to
# their values one epoch earlier (bottom), against epoch t.
# Data: @DATA@ (columns epoch, gf_norm, ftf_ratio, pff_ratio, dw_cos, dv_cos).
set multiplot layout 3,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set xrange [0:@XMAX@]
set xtics format ""
set xlabel ""
set logscale y
set format y "10^{%L}"
set ylabel "|{/:Italic G_F}|"
plot "@DATA@" using 1:2 with lines lt 1 notitle
unset logscale y
set format y "%g"
set ylabel "off / diag"
set yrange [0:*]
set ytics @RATIO_TICS@
plot "@DATA@" using 1:3 with lines lt 1 title "{/:Italic (PF)^T(PF)}", \
     "@DATA@" using 1:4 with lines lt 2 title "{/:Italic PFF^T}", \
     0.08 with lines dt 2 lc rgb "#000000" title "0.08"
set yrange [*:*]
set logscale y
set format y "10^{%L}"
set xtics format "%g"
set xlabel "epoch {/:Italic t}"
set ylabel "cosine distance"
plot "@DATA@" using 1:5 with lines lt 1 title "{/:Italic W}", \
     "@DATA@" using 1:6 with lines lt 2 title "{/:Italic V}"
unset multiplot
