# Grokking curves (li2 train): accuracy (top) and loss (bottom) on the
# training and the test set against epoch t; the stages I, II, III of
# li2 gradient shaded when known.  Data: @DATA@ (columns epoch, train_acc,
# test_acc, train_loss, test_loss).
@XSCALE@
@STAGES@
set multiplot layout 2,1
# left and right margins in characters of the terminal's font: the
# panels line up; top and bottom ones as gnuplot measures its labels
set lmargin 9
set rmargin 3
set xtics format ""
set xlabel ""
set ylabel "accuracy"
set yrange [0:1.05]
set ytics 0.5
set mytics 2
@ACC_PLOT@
set xtics format @XFORMAT@
set xlabel "epoch {/:Italic t}"
set ylabel "loss"
set yrange [*:*]
set ytics autofreq
set logscale y
set format y "10^{%L}"
@LOSS_PLOT@
unset multiplot
