# Energies E reached by the multi-start maximisation (li2 maxima), with the
# predicted maxima E* = r^4 M/(2 d_R) of the real irreducible components
# marked (doc/mathematics.md section 3).  Data: @DATA@ (one row per start; column 3
# energy, column 4 label).  Edit binwidth to rebin.
binwidth = @BINWIDTH@
# Bin edges shifted by an irrational fraction of the width, so that levels
# such as M/(2 d_R) reached to round-off never straddle an edge.
shift = 1 / pi
bin(x) = binwidth * (floor(x / binwidth + shift) + 0.5 - shift)
set xlabel "energy {/:Italic E}"
set ylabel "starts"
set yrange [0:*]
set offsets graph 0.05, graph 0.05, graph 0.35, 0
set style fill solid 0.7 noborder
set boxwidth binwidth * 0.9 absolute
@LEVEL_ARROWS@
plot "@DATA@" using (bin($3)):(strcol(4) eq "max" ? 1 : 0) skip 1 smooth frequency with boxes lt 1 title "certified maxima", \
     "@DATA@" using (bin($3)):(strcol(4) eq "max" ? 0 : 1) skip 1 smooth frequency with boxes lt 4 title "saddles, degenerate", \
     NaN with lines lt 2 dt 2 lw 1 title "predicted {/:Italic M}/(2{/:Italic d_R})"
