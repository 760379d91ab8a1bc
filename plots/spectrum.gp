# Spectrum of the hidden layer against epoch t (li2 compare): the share of
# the total non-trivial power of all nodes in each real irreducible
# component k, one column of cells per checkpoint.  Data: @DATA@ (columns
# epoch, component, share, epoch_low, epoch_high).
set xlabel "epoch {/:Italic t}"
set ylabel "component {/:Italic k}"
set xrange [@XRANGE@]
set yrange [@YRANGE@]
set ytics @YTICS@
set cbrange [@CBRANGE@]
set cblabel "share of power"
set rmargin 7
set cblabel offset 1
plot "@DATA@" using 1:2:4:5:($2 - 0.5):($2 + 0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle
