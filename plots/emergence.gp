# Feature emergence over the checkpoints (li2 compare): the fraction of the
# active nodes sitting at a predicted maximum of the energy E (purity and
# angle criteria of li2(1)), the coverage (share of the non-trivial real
# components with such a node) and the test accuracy, against epoch t.
# Stages of li2 gradient shaded when known.  Data: @DATA@ (columns epoch,
# at_predicted_max_fraction, coverage, test_acc).
@STAGES@
set xlabel "epoch {/:Italic t}"
set ylabel "fraction"
set xrange [0:@XMAX@]
set yrange [0:1.05]
plot "@DATA@" using 1:2 with linespoints lt 1 title "nodes at max.", \
     "@DATA@" using 1:3 with linespoints lt 3 title "coverage"@TEST_PLOT@
