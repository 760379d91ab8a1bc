# Angles of the factorised solutions' parameters (li2 solutions; the
# reference's factorize_sol.py "angle_of_xi", "angle_of_nu",
# "angle_of_alpha_beta"): counts in equal bins on [-pi, pi], with the
# reference's marks.  Data: @DATA@ (columns center, xi, nu, alpha, beta).
set xlabel "angle of @SYMBOL@"
set ylabel "count"
set xrange [-pi - 0.1:pi + 0.1]
set yrange [0:*]
set xtics ("-{/:Italic π}" -pi, "-{/:Italic π}/2" -pi/2, "0" 0, "{/:Italic π}/2" pi/2, "{/:Italic π}" pi)
set style fill solid 0.6 noborder
set boxwidth 0.9 relative
@MARKS@
@PLOT@
