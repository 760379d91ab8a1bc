#!/usr/bin/python3
"""Record the reference trainer's train/test split for li2's split=reference test.

The reference (yuandong-tian/understanding, ssl/real-dataset/cogo/
modular_addition_simple2.py:490) splits with
    train_test_split(X, y, test_size=test_size, random_state=args.seed)
over the samples in itertools.product order.  The split's indices depend
only on the number of samples n, test_size and the seed, so this script
records train_test_split(arange(n), ...) for a list of (seed, M, num_of_ops,
test_size) triples.  Needs python3-numpy and python3-sklearn (Debian); the
recorded file, not this script, is what `make check` reads.

Output (reference-splits.txt): per case a header line
    case SEED M NUM_OF_OPS TEST_SIZE N NTEST
then "test" and the test indices, then "train" and the training indices,
each in the order train_test_split returns them."""
import sys
import numpy as np
import sklearn
from sklearn.model_selection import train_test_split

# (seed, M, num_of_ops, test_size): cyclic groups of the paper's sweeps,
# products (M is then the product's order), three operands, seeds at the
# ends of the 32-bit range, test sizes whose ceil() is exact or not.
CASES = [
    (0, 5, 2, 0.7), (1, 7, 2, 0.1), (2, 11, 2, 0.5), (3, 13, 2, 0.25),
    (4, 17, 2, 0.9), (5, 19, 2, 0.3), (0, 23, 2, 0.1), (1, 23, 2, 0.7),
    (42, 29, 2, 0.95), (7, 31, 2, 0.6), (123, 37, 2, 0.8), (2024, 41, 2, 0.33),
    (9, 43, 2, 0.75), (10, 47, 2, 0.2), (11, 53, 2, 0.05), (12, 59, 2, 0.7),
    (5, 71, 2, 0.1), (4294967295, 13, 2, 0.7), (2147483648, 17, 2, 0.4),
    (3, 7, 3, 0.7), (8, 24, 2, 0.7),  # M=24: the order of 2x3x4
    (6, 97, 2, 0.9), (1, 127, 2, 0.7),
    (0, 23, 2, 1 - 2.7482 * np.log(23) / 23),  # use_critical_ratio's test_size
]

def main(path):
    with open(path, "w") as f:
        f.write("# recorded by gen_reference_splits.py with numpy %s, scikit-learn %s\n"
                % (np.__version__, sklearn.__version__))
        for seed, M, k, ts in CASES:
            n = M ** k
            train, test = train_test_split(np.arange(n), test_size=float(ts), random_state=seed)
            f.write("case %d %d %d %.17g %d %d\n" % (seed, M, k, ts, n, len(test)))
            f.write("test " + " ".join(map(str, test)) + "\n")
            f.write("train " + " ".join(map(str, train)) + "\n")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "reference-splits.txt")
