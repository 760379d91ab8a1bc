# Progress measures (li2 compare progress=true; Nanda et al. 2023 on any
# group): top, the loss of the network, of its logits restricted to the key
# components of the product a b (test set) and with them excluded (training
# set); bottom, the Gini coefficient of the first layer's spectrum and the
# share of its power in the key components, against epoch t.  Data: @DATA@
# (columns epoch, train_loss, test_loss, restricted_test_loss,
# excluded_train_loss, gini, key_share).
set multiplot layout 2,1
# margins in characters, as the grokking figure: the panels line up
set lmargin 9
set rmargin 3
set xrange [0:@XMAX@]
set xtics format ""
set xlabel ""
set ylabel "loss"
set logscale y
set format y "10^{%L}"
plot "@DATA@" using 1:2 with lines lt 1 title "train", \
     "@DATA@" using 1:3 with lines lt 2 title "test", \
     "@DATA@" using 1:4 with lines lt 3 dt 2 title "restricted (test)", \
     "@DATA@" using 1:5 with lines lt 4 dt 3 title "excluded (train)"
unset logscale y
set format y "%g"
set xtics format "%g"
set xlabel "epoch {/:Italic t}"
set ylabel "fraction"
set yrange [0:1.05]
set ytics 0.5
set mytics 5
plot "@DATA@" using 1:6 with linespoints lt 1 title "Gini of the spectrum", \
     "@DATA@" using 1:7 with linespoints lt 3 title "key share"
unset multiplot
