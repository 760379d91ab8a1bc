# Top-down modulation (li2 gradient, doc/mathematics.md section 5): share of the
# label-space power of the residual and of the fresh nodes' G_F inside the
# final component set S, as S grows node by node.  Data: @DATA@ (rows at
# eta = @ETA@; column 2 S nodes, 4 residual, 5 fresh).
set xlabel "nodes of S present"
set ylabel "share of label-space power in S"
set yrange [0:1]
plot "@DATA@" using 2:(strcol(1) eq "@ETA@" ? $4 : NaN) skip 1 with linespoints lt 1 title "residual {/:Italic R}", \
     "@DATA@" using 2:(strcol(1) eq "@ETA@" ? $5 : NaN) skip 1 with linespoints lt 2 title "fresh nodes' {/:Italic G_F}", \
     @BASELINE@ with lines lt 8 dt 2 title "no modulation: dim S / (M-1)"
