# Stage II flow of one node (li2 flow): energy E(w(t)) and the purity of the
# dominant real irreducible component over time.  Data: @DATA@ (column 1
# time, 2 energy, 6 purity).
set multiplot layout 2,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set xlabel ""
set format x ""
set ylabel "energy {/:Italic E}"
@XSCALE@
plot "@DATA@" using 1:2 skip 1 with lines lt 1 title "{/:Italic E}(w(t))"@PREDICTED_PLOT@
set xlabel "time {/:Italic t}"
set format x "%g"
set ylabel "purity"
set yrange [0:1.05]
plot "@DATA@" using 1:6 skip 1 with lines lt 3 title "dominant component share"
unset multiplot
