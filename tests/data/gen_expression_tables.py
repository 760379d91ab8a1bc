#!/usr/bin/python3
"""Record expression tables for li2's expression tasks (tests/test_expr.c).

The reference (yuandong-tian/understanding, ssl/real-dataset/cogo/
modular_addition_simple2.py:120-127, load_expression) computes
    z = eval(expr, {}, dict(x=x, y=y)) % M
for x, y in range(M).  This script does the same for a list of expressions
(Python's own integer semantics: ** right-associative, floor // and %, ^ as
exclusive or, big integers) and records each table on one line:
    M<TAB>EXPRESSION<TAB>z(0,0) z(0,1) ... z(M-1,M-1)"""
import sys

EXPRS = [
    (23, "x**2+x*y+y**2"), (7, "x*y"), (11, "x-y"), (13, "(x+y)**3"), (23, "x**y"),
    (17, "x//(y+1)"), (17, "x%(y+1)"), (16, "x^y"), (19, "-x**2+3*y"), (13, "abs(x-y)"),
    (11, "max(x,y)*min(x,y)"), (23, "pow(x,y,7)"), (16, "x<<2|y"), (16, "~x&y"),
    (7, "x**y**2"), (29, "2**x - y"), (19, "(x*y)//3 - y%4"), (31, "x**30*y + 5"),
    (13, "-(x - 3*y)//2"), (11, "x**3 + 2*x*y**2 - 7"), (97, "x**2+x*y+y**2"),
    (12, "x>>1 ^ y"), (5, "+x - -y"), (23, "(x**20 + y**20) * x**3"),
]

def main(path):
    with open(path, "w") as f:
        f.write("# recorded by gen_expression_tables.py with Python %s\n" % sys.version.split()[0])
        for M, e in EXPRS:
            z = [eval(e, {}, dict(x=x, y=y)) % M for x in range(M) for y in range(M)]
            f.write("%d\t%s\t%s\n" % (M, e, " ".join(map(str, z))))

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "expression-tables.txt")
