"""The Stage II energy from Python: the gradient against central finite
differences computed here, the certified maxima against the predicted
level M/(2 d_R) (Theorem 2 on the full table, sigma = x^2)."""
import numpy as np

import li2


def test_energy_gradient_finite_differences():
    G = li2.Group("S3")
    E = li2.Energy(G, activation="sqr", ntrain=20, seed=3)
    assert E.dim == 12
    w = np.random.default_rng(2).standard_normal(12)
    e0, g = E.gradient(w)
    assert np.isclose(e0, E(w))
    h = 1e-5
    fd = np.array([(E(w + h * ei) - E(w - h * ei)) / (2 * h) for ei in np.eye(12)])
    assert np.allclose(fd, g, rtol=1e-6, atol=1e-7)


def test_maxima_reach_predicted_level():
    G = li2.Group("Z7")
    E = li2.Energy(G)
    r = E.maxima(starts=4, seed=1)
    n = len(r["energy"])
    assert r["w"].shape == (n, 14)
    assert np.allclose(np.linalg.norm(r["w"], axis=1), 1, atol=1e-8)
    ct = G.characters()
    level = np.array([ct.predicted_energy(c) for c in range(ct.ncomponents)])
    assert np.allclose(r["level"][1:], level[1:]) and np.allclose(level[1:], 7 / 4)
    maxima = r["label"] == 0
    assert maxima.any()
    assert np.allclose(r["energy"][maxima], 7 / 4, rtol=1e-6)
    # every certified maximum's energy is E at its end point
    for i in np.flatnonzero(maxima):
        assert np.isclose(E(r["w"][i]), r["energy"][i], rtol=1e-9)
