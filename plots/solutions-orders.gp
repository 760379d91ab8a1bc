# Solution orders (li2 solutions; the reference's sol_distri.py and
# draw_dyn_fig3.py "order-distri"): the frequencies k = 1..(M-1)/2 by their
# order, the number of hidden nodes with |A_k| above the threshold; dashed
# lines at the orders 4 and 6 of the order-2 x order-2 and order-2 x
# order-3 solutions.  Data: @DATA@ (columns order, frequencies).
set xlabel "solution order"
set ylabel "frequencies"
set xrange [-0.5:@XMAX@]
set yrange [0:*]
set xtics 1
set style fill solid 0.85 noborder
set boxwidth 0.8 relative
set arrow from 4, graph 0 to 4, graph 1 nohead dt 2 lc rgb "#D55E00" front
set arrow from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#D55E00" front
plot "@DATA@" skip 1 using 1:2 with boxes lt 1 notitle
