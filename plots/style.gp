# li2 figure style, shared by every template (prepended by li2_plot).
# Paper: one column 3.25 in (or two columns 6.75 in) wide, one font family
# (Helvetica), the colour-blind-safe Okabe-Ito palette for lines and a
# viridis-like palette for heatmaps, labelled axes, no titles.  The
# terminal line is chosen by li2 for the format (pdf, png, svg, tex) and
# style (paper, slides); edit it here to change the size.  Text is UTF-8
# (cairo's own encoding; no `set encoding`, which would depend on the
# locale gnuplot runs in).
@TERMINAL@
set output "@OUTPUT@"
set datafile separator "\t"
set datafile missing "-"
set border 3 lw 0.8
set tics nomirror out scale 0.6
# Lengths in ems of the font, as fractions of the canvas (emx across,
# emy up): margins set with them keep labels and ticks on the canvas in
# every style.
fontpt = 1.0 * @FONTPT@
emx = fontpt / @WIDTHPT@
emy = fontpt / @HEIGHTPT@
# The legend above the plot, clear of the data and the axes.
set key outside top center horizontal noopaque samplen 2 spacing 1.1 font "@KEYFONT@"
set grid noxtics noytics
# Okabe-Ito: blue, vermillion, bluish green, orange, reddish purple,
# sky blue, yellow, black.
set linetype 1 lc rgb "#0072B2" lw 1.5 pt 7 ps 0.5
set linetype 2 lc rgb "#D55E00" lw 1.5 pt 5 ps 0.5
set linetype 3 lc rgb "#009E73" lw 1.5 pt 9 ps 0.5
set linetype 4 lc rgb "#E69F00" lw 1.5 pt 11 ps 0.5
set linetype 5 lc rgb "#CC79A7" lw 1.5 pt 13 ps 0.5
set linetype 6 lc rgb "#56B4E9" lw 1.5 pt 6 ps 0.5
set linetype 7 lc rgb "#F0E442" lw 1.5 pt 4 ps 0.5
set linetype 8 lc rgb "#000000" lw 1.5 pt 8 ps 0.5
set linetype cycle 8
# Heatmaps: perceptually uniform, readable in grey and by colour-blind
# readers (viridis end points and quartiles).
set palette defined (0 "#440154", 0.25 "#3B528B", 0.5 "#21908C", 0.75 "#5DC863", 1 "#FDE725")
