# Phase diagram of a sweep (sweep.tsv): mean test accuracy over the runs
# at each group order M and training fraction p, with the reference
# trainer's boundary p = 2.7482 log(M)/M (use_critical_ratio; THEORY.md
# section 4).  Data: @DATA@ (columns M, train_fraction, mean_test_acc, runs).
set xlabel "group order {/:Italic M}"
set ylabel "training fraction {/:Italic p}"
set xrange [@XRANGE@]
set yrange [0:1]
set cbrange [0:1]
set cblabel "test accuracy"
set key top right opaque
set samples 400
plot "@DATA@" using 1:2:3 with points pt 5 ps 1.4 lc palette notitle, \
     2.7482 * log(x) / x with lines lt 8 dt 2 title "2.7482 log {/:Italic M}/{/:Italic M}"
