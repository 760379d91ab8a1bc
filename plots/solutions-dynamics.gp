# Dynamics of r_{k1 k2 k} (li2 solutions; the reference's draw_dyn_fig3.py
# "dyn-r"): the sum of the diagonal terms Re r_{kkk} and of all the other
# terms Re r_{k1 k2 k} over the checkpoints, both times 2M as the reference
# plots them; dashed lines at 0 and M - 1.  Data: @DATA@ (columns epoch,
# diag, offdiag).
set xlabel "epoch {/:Italic t}"
set ylabel "summed {/:Italic r}"
set arrow from graph 0, first 0 to graph 1, first 0 nohead dt 2 lw 0.5 lc rgb "black"
set arrow from graph 0, first @MM1@ to graph 1, first @MM1@ nohead dt 2 lw 0.5 lc rgb "black"
plot "@DATA@" skip 1 using 1:2 with lines lt 1 title "diagonal", \
     "@DATA@" skip 1 using 1:3 with lines lt 2 title "off-diagonal"
