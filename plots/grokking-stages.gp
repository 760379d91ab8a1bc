# The three stages of a training run (li2 gradient run=DIR; criteria in
# li2(1)): accuracies with the stages shaded (top), and the node measures
# the criteria use (bottom).  Data: @ACC@ (epoch, train_acc, test_acc) and
# @MEASURES@ (column 1 epoch, 5 pure_fraction, 6 purity, 7 coverage).
@STAGES@
set xrange [@XRANGE@]
set multiplot layout 2,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set xlabel ""
set format x ""
set ylabel "accuracy"
set yrange [0:1.05]
plot "@ACC@" using 1:2 skip 1 with lines lt 1 title "train", \
     "@ACC@" using 1:3 skip 1 with lines lt 2 title "test"
set xlabel "epoch"
set format x "%g"
set ylabel "fraction"
set yrange [0:1.05]
plot "@MEASURES@" using 1:6 skip 1 with linespoints lt 3 title "purity", \
     "@MEASURES@" using 1:5 skip 1 with linespoints lt 4 title "pure nodes", \
     "@MEASURES@" using 1:7 skip 1 with linespoints lt 5 title "coverage"
unset multiplot
