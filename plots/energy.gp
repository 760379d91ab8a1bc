# Energies E on the unit sphere (doc/mathematics.md section 3): the end points of
# the multi-start maximisation (li2 maxima) and the trained network's
# active nodes E(w_j/|w_j|) (li2 compare), with the predicted maxima
# M/(2 d_R) of the real irreducible components as dashed lines.
# Data: @DATA@ (column 1 kind, 2 energy).  Edit binwidth to rebin.
binwidth = @BINWIDTH@
# Bin edges shifted by an irrational fraction of the width, so that levels
# such as M/(2 d_R) reached to round-off never straddle an edge.
shift = 1 / pi
bin(x) = binwidth * (floor(x / binwidth + shift) + 0.5 - shift)
set xlabel "energy {/:Italic E}"
set ylabel "count"
set xrange [@XRANGE@]
set yrange [0:*]
set offsets 0, 0, graph 0.3, 0
set key samplen 3
set style fill solid 0.7 noborder
set boxwidth binwidth * 0.9 absolute
@LEVEL_ARROWS@
@PLOT@
