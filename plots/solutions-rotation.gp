# |r_{a,m,k,k}| = |sum_j A_{kj} conj(A_{k+m,j}) C_{kj}| times 2M over the
# checkpoints (li2 solutions; the reference's draw_dyn_fig3.py "dyn-order-4",
# "dyn-order-6" with m = 0 for the frequencies of order 4 or 6, "dyn-a1kk"
# with m = 1 for every frequency).  Data: @DATA@ (columns epoch, then k1,
# k2, ...).  @WHAT@
set xlabel "epoch {/:Italic t}"
set ylabel "@YLABEL@"
set yrange [0:*]
set arrow from graph 0, first 0 to graph 1, first 0 nohead dt 2 lw 0.5 lc rgb "black"
@PLOT@
