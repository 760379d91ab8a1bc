# Stage II flow of one node (li2 flow): energy E(w(t)) and the purity of the
# dominant real irreducible component over time.  Data: @DATA@ (column 1
# time, 2 energy, 6 purity).
set multiplot layout 2,1 margins 6.5*emx, 1-1.5*emx, 3.3*emy, 1-1.8*emy spacing 0, 3*emy
set xlabel ""
set format x ""
set ylabel "energy {/:Italic E}"
set key at graph 0.5, graph 1 center bottom horizontal
@XSCALE@
plot "@DATA@" using 1:2 skip 1 with lines lt 1 title "{/:Italic E}(w(t))"@PREDICTED_PLOT@
set xlabel "time {/:Italic t}"
set format x "%g"
set ylabel "purity"
set yrange [0:1.05]
plot "@DATA@" using 1:6 skip 1 with lines lt 3 title "dominant component share"
unset multiplot
