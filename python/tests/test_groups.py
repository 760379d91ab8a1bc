"""Groups and character tables from Python against facts computed here
from the Cayley table alone (numpy), not from li2."""
import numpy as np
import pytest

import li2


def test_s4_character_table():
    S4 = li2.Group("S4")
    assert S4.order == 24 and not S4.abelian
    ct = S4.characters()
    chi = ct.table
    assert chi.shape == (5, 5)
    assert np.allclose(chi.imag, 0, atol=1e-12)
    # S4's table, classes named by (element order, class size):
    # e, (12)(34) [2, 3], (12) [2, 6], (123) [3, 8], (1234) [4, 6]
    known = {(1, 1): [1, 1, 2, 3, 3], (2, 3): [1, 1, 2, -1, -1], (2, 6): [1, -1, 0, 1, -1],
             (3, 8): [1, 1, -1, 0, 0], (4, 6): [1, -1, 0, -1, 1]}
    cols = [(int(o), int(s)) for o, s in zip(ct.class_orders, ct.class_sizes)]
    assert sorted(cols) == sorted(known)
    want = np.array([known[c] for c in cols]).T  # irreps x classes, rows in the known order
    got = sorted(map(tuple, np.round(chi.real, 9)))
    assert got == sorted(map(tuple, want.astype(float)))
    assert sorted(ct.degrees.tolist()) == [1, 1, 2, 3, 3]


def test_table_is_a_group():
    G = li2.Group("D5")
    T = G.table
    M = G.order
    e = G.identity
    assert (T[e] == np.arange(M)).all() and (T[:, e] == np.arange(M)).all()
    # associativity (a b) c = a (b c) for all triples
    lhs = T[T[:, :, None], np.arange(M)[None, None, :]]
    rhs = T[np.arange(M)[:, None, None], T[None, :, :]]
    assert (lhs == rhs).all()
    assert all(sorted(row) == list(range(M)) for row in T)


@pytest.mark.parametrize("name", ["S3", "A4", "Z4xZ6", "Z7:Z3"])
def test_orthogonality(name):
    """Row orthogonality sum_c |C_c| chi_i(c) conj(chi_j(c)) = |G| delta_ij,
    and sum of d_i^2 = |G|."""
    G = li2.Group(name)
    ct = G.characters()
    chi = ct.table
    gram = (chi * ct.class_sizes) @ chi.conj().T
    assert np.allclose(gram, G.order * np.eye(ct.nirreps), atol=1e-9)
    assert int((ct.degrees ** 2).sum()) == G.order
    # class_of is a partition with the stated sizes
    assert np.bincount(ct.class_of, minlength=ct.nirreps).tolist() == ct.class_sizes.tolist()


def test_from_table_and_errors():
    Z5 = li2.Group("Z5")
    H = li2.Group.from_table(Z5.table, name="mine")
    assert H.order == 5 and H.abelian
    bad = Z5.table.copy()
    bad[1, 1] = bad[1, 2]
    with pytest.raises(li2.Li2Error):
        li2.Group.from_table(bad)
    with pytest.raises(li2.Li2Error) as e:
        li2.Group("Q0x")
    assert "Q0x" in str(e.value)


def test_fourier_power_cyclic_against_fft():
    """On Z_n the power of real component k is (|u^_k|^2 + |u^_{n-k}|^2)/n
    (numpy's FFT), |u^_0|^2/n for the trivial one."""
    n = 11
    G = li2.Group("Z%d" % n)
    rng = np.random.default_rng(5)
    u = rng.standard_normal((4, n))
    p = li2.fourier_power(G, u)
    assert p.shape == (4, (n + 1) // 2)
    f = np.abs(np.fft.fft(u, axis=1)) ** 2 / n
    want = np.concatenate([f[:, :1], f[:, 1:(n + 1) // 2] + f[:, :(n - 1) // 2:-1]], axis=1)
    assert np.allclose(np.sort(p, axis=1), np.sort(want, axis=1), rtol=1e-10, atol=1e-12)
    assert np.allclose(p.sum(axis=1), (u ** 2).sum(axis=1), rtol=1e-12)


def test_fourier_power_nonabelian_parseval():
    G = li2.Group("S4")
    u = np.random.default_rng(1).standard_normal(24)
    p = li2.fourier_power(G, u)
    assert p.shape == (G.characters().ncomponents,)
    assert (p >= -1e-12).all() and np.isclose(p.sum(), u @ u, rtol=1e-12)
    with pytest.raises(ValueError):
        li2.fourier_power(G, np.zeros(5))
