# Solution orders over a sweep (li2 solutions sweep=DIR; the reference's
# sol_distri.py, Fig. 4 of Tian 2025): per setting, the frequencies of all
# its runs by their order; dashed lines at the orders 4 and 6.  Data: @DATA@
# (columns setting, order, frequencies).
set style fill solid 0.85 noborder
set boxwidth 0.8 relative
set xrange [-0.5:@XMAX@]
set yrange [0:*]
set xtics 4 font ",6"

set arrow 1 from 4, graph 0 to 4, graph 1 nohead dt 2 lc rgb "#D55E00" front
set arrow 2 from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#D55E00" front
set multiplot layout @ROWS@, @COLS@
@PANELS@
unset multiplot
