# Coverage (li2 compare): active nodes per non-trivial real irreducible
# component k (by dominant component; the reference's "solution order"
# counts), and those at a predicted maximum; components with no node at
# their maximum are marked missing.  Data: @DATA@ (columns component,
# active_nodes, at_max_nodes, missing).
set xlabel "component {/:Italic k}"
set ylabel "active nodes"
set xrange [@XRANGE@]
set xtics @XTICS@
set yrange [0:*]
set ytics @YTICS@
set offsets 0, 0, graph 0.25, 0
set style fill solid 0.85 noborder
set boxwidth 0.7 relative
plot "@DATA@" using 1:2 with boxes lt 6 title "active", \
     "@DATA@" using 1:3 with boxes lt 1 title "at a maximum"@MISSING_PLOT@
