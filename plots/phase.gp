# Phase diagram of a sweep (sweep.tsv, or li2 sweep's results.tsv): mean
# test accuracy over the runs (seeds) at each group order M and training
# fraction p; each M's boundary, where the mean accuracy first reaches 0.9
# (interpolated; censored ones not drawn); the fit p = c log(M)/M to those
# boundaries; and the reference trainer's p = 2.7482 log(M)/M
# (use_critical_ratio; doc/mathematics.md section 4).
# Data: @DATA@ (columns M, train_fraction, mean_test_acc, runs),
# @BOUNDARY@ (M, boundary_fraction, censored, reference_fraction).
set xlabel "group order {/:Italic M}"
set ylabel "training fraction {/:Italic p}"
set xrange [@XRANGE@]
set yrange [0:1]
set cbrange [0:1]
set cblabel "test accuracy" offset 1
set rmargin 8
set samples 400
plot "@DATA@" using 1:2:3 with points pt 5 ps 1.4 lc palette notitle, \
     "@BOUNDARY@" using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb "black" title "boundary (accuracy 0.9)", \
     2.7482 * log(x) / x with lines lt 8 dt 2 title "2.7482 log {/:Italic M}/{/:Italic M}"@FIT_PLOT@
