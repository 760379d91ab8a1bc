"""Training, checkpoints, compare and export from Python.  The export is
checked against an independent reader of doc/checkpoint.md written here
(struct), and metrics.npy against metrics.tsv read with numpy."""
import os
import struct
import subprocess
import zipfile

import numpy as np
import pytest

import li2


def read_li2_checkpoint(path):
    """doc/checkpoint.md, versions 1, 2 (complex weights) and 4 (the
    reference's model options), read with struct only."""
    with open(path, "rb") as f:
        b = f.read()
    assert b[:8] == b"LI2CKPT\n"
    version, bom, plen = struct.unpack_from("<IIQ", b, 8)
    assert version in (1, 2, 4) and bom == 0x01020304 and len(b) == 32 + plen
    h = 14695981039346656037
    for byte in b[24:24 + plen]:
        h = ((h ^ byte) * 1099511628211) % (1 << 64)
    assert struct.unpack_from("<Q", b, 24 + plen)[0] == h
    hdr = struct.unpack_from("<16Q", b, 24)
    M, K, k, r, nparams, nopt, steps, epoch = hdr[:8]
    grok = struct.unpack_from("<q", b, 24 + 8 * 8)[0]
    ntrain, ntest, clen, rlen = hdr[9:13]
    cplx = hdr[13]
    flags, nbuf = (hdr[14], hdr[15]) if version == 4 else (0, 0)
    off = 24 + 128
    config = b[off:off + clen].decode()
    off += clen
    split = np.frombuffer(b, dtype="<u4", count=ntrain + ntest, offset=off)
    off += 4 * (ntrain + ntest)
    params = np.frombuffer(b, dtype="<f8", count=nparams, offset=off)
    off += 8 * nparams + 8 * nopt
    buf = np.frombuffer(b, dtype="<f8", count=nbuf, offset=off)
    # complex weights: (re, im) pairs, NumPy's complex128 layout
    w = params.view("<c16") if cplx else params
    nw, nl, nv = k * M * K, r * K * K, K * M
    W = w[:nw].reshape(k * M, K)
    L = w[nw:nw + nl].reshape(r, K, K)
    V = w[nw + nl:nw + nl + nv].reshape(K, M)
    rest = params[(nw + nl + nv) * (2 if cplx else 1):]
    out = dict(M=M, K=K, k=k, epoch=epoch, grok=grok, ntrain=ntrain, config=config,
               split=split, W=W, L=L, V=V, flags=flags)
    if flags & 1:  # use_bn: gamma | beta, running mean | variance
        out.update(gamma=rest[:K], beta=rest[K:2 * K], mean=buf[:K], var=buf[K:2 * K])
        rest = rest[2 * K:]
    if flags & 2:  # embed_trainable: E
        out["E"] = rest[:M * M].reshape(M, M)
        rest = rest[M * M:]
    assert len(rest) == 0
    return out


def test_trainer_reproducible_and_metrics():
    t1, m1 = li2.train(group="Z5", hidden_size=8, num_epochs=12, eval_interval=4, seed=4)
    t2, m2 = li2.train(group="Z5", hidden_size=8, num_epochs=12, eval_interval=4, seed=4)
    assert m1.dtype.names == li2.METRICS
    assert m1["epoch"].tolist() == [0, 4, 8, 12]
    assert np.array_equal(t1.W, t2.W) and np.array_equal(m1, m2)
    assert t1.W.shape == (10, 8) and t1.V.shape == (8, 5) and t1.L.shape == (0, 8, 8)
    assert ((m1["train_acc"] >= 0) & (m1["train_acc"] <= 1)).all()
    assert np.isclose(m1["w_norm"][-1], np.linalg.norm(t1.W))
    with pytest.raises(li2.Li2Error) as e:
        li2.Trainer(group="Z5", hiden_size=3)
    assert "hiden_size" in str(e.value)


def test_trainer_save_load_compare(tmp_path):
    t, _ = li2.train(group="Z7", hidden_size=16, num_epochs=10, eval_interval=5)
    path = str(tmp_path / "checkpoint.li2")
    t.save(path)
    c = li2.load_checkpoint(path)
    assert np.array_equal(c["W"], t.W) and np.array_equal(c["V"], t.V)
    assert c["epoch"] == 10 and c["config"]["group"] == "Z7"
    r = t.compare()
    assert r["group"] == "Z7" and r["epoch"] == 10
    assert 0 <= r["active_nodes"] <= 16 and isinstance(r["coverage"], list)


def test_export_equals_checkpoint(trained_run):
    run, out = trained_run
    ck = read_li2_checkpoint(os.path.join(run, "checkpoint.li2"))
    W = np.load(os.path.join(out, "W.npy"))
    assert W.dtype == np.float64 and W.shape == (14, 16)
    assert np.array_equal(W, ck["W"])
    assert np.array_equal(np.load(os.path.join(out, "V.npy")), ck["V"])
    assert np.load(os.path.join(out, "L.npy")).shape == (0, 16, 16)
    tr = np.load(os.path.join(out, "train_samples.npy"))
    te = np.load(os.path.join(out, "test_samples.npy"))
    assert np.array_equal(np.concatenate([tr, te]), ck["split"]) and len(tr) == ck["ntrain"]
    X = np.load(os.path.join(out, "X_train.npy"))
    y = np.load(os.path.join(out, "y_train.npy"))
    assert np.array_equal(X[:, 0] * 7 + X[:, 1], tr)
    assert np.array_equal(y, (X[:, 0] + X[:, 1]) % 7)  # Z7: addition mod 7
    Xt = np.load(os.path.join(out, "X_test.npy"))
    yt = np.load(os.path.join(out, "y_test.npy"))
    assert np.array_equal(yt, li2.Group("Z7").table[Xt[:, 0], Xt[:, 1]])
    # metrics.npy: every column of metrics.tsv, every row
    m = np.load(os.path.join(out, "metrics.npy"))
    tsv = np.genfromtxt(os.path.join(run, "metrics.tsv"), names=True, delimiter="\t")
    assert m.dtype.names == tsv.dtype.names
    for name in m.dtype.names:
        assert np.array_equal(m[name], tsv[name], equal_nan=True)
    assert m["epoch"].tolist() == [0, 5, 10, 15, 20]


def test_npz_archives(trained_run):
    run, out = trained_run
    with zipfile.ZipFile(os.path.join(out, "run.npz")) as z:
        assert z.testzip() is None  # every CRC-32 right
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
    d = li2.load_export(out)
    ck = read_li2_checkpoint(os.path.join(run, "checkpoint.li2"))
    assert np.array_equal(d["W"], ck["W"]) and int(d["epoch"]) == ck["epoch"] == 20
    assert int(d["grok_epoch"]) == ck["grok"]
    assert d["config"]["hidden_size"] == "16"
    for e in (10, 20):
        with np.load(os.path.join(out, "ckpt-%06d.npz" % e)) as z:
            c = read_li2_checkpoint(os.path.join(run, "ckpt-%06d.li2" % e))
            assert int(z["epoch"]) == e and np.array_equal(z["W"], c["W"])
            assert np.array_equal(z["V"], c["V"])
    # the library's reader and the export agree too
    lc = li2.load_checkpoint(run, epoch=10)
    with np.load(os.path.join(out, "ckpt-000010.npz")) as z:
        assert np.array_equal(lc["W"], z["W"])


def test_export_from_python(trained_run, tmp_path):
    run, _ = trained_run
    out = li2.export(run, str(tmp_path / "e"), checkpoint="10")
    d = li2.load_export(out)
    assert int(d["epoch"]) == 10 and d["metrics"]["epoch"].tolist() == [0, 5, 10]
    with pytest.raises(li2.Li2Error) as e:
        li2.export(run, str(tmp_path / "f"), checkpoint="later")
    assert "checkpoint" in str(e.value)


@pytest.mark.parametrize("options", [["use_complex_weights=true"],
                                     ["use_bn=true", "embed_trainable=true"],
                                     ["use_inner_product_act=true", "use_bn=false"]])
def test_export_every_parameter(li2_command, tmp_path, options):
    """Every trained array of a checkpoint is exported, with its dtype:
    complex128 weights, use_bn's gamma, beta and running statistics,
    embed_trainable's E (before, a complex W was written as half of its
    float64 pairs and gamma, beta, E not at all)."""
    run, out = str(tmp_path / "run"), str(tmp_path / "npy")
    subprocess.run([li2_command, "train", "out=" + run, "group=Z5", "hidden_size=6",
                    "num_epochs=4", "seed=3", "threads=1"] + options, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([li2_command, "export", run, "out=" + out, "checkpoint=all"], check=True,
                   stdout=subprocess.DEVNULL)
    ck = read_li2_checkpoint(os.path.join(run, "checkpoint.li2"))
    names = {"W": "W", "V": "V", "L": "L", "gamma": "gamma", "beta": "beta",
             "bn_running_mean": "mean", "bn_running_var": "var", "E": "E"}
    with np.load(os.path.join(out, "run.npz")) as z:
        got = {n for n in z.files if n in names}
        assert got == {n for n, key in names.items() if key in ck}
        for n in got:
            assert z[n].dtype == ck[names[n]].dtype and np.array_equal(z[n], ck[names[n]])
    with np.load(os.path.join(out, "ckpt-000004.npz")) as z:
        assert {n for n in z.files if n in names} == got


def test_export_refuses_transformer(li2_command, tmp_path):
    run = str(tmp_path / "run")
    subprocess.run([li2_command, "train", "out=" + run, "model_type=transformer", "M=5",
                    "hidden_size=8", "nhead=2", "num_layers=1", "dim_feedforward=8",
                    "num_epochs=2", "threads=1"], check=True, stdout=subprocess.DEVNULL)
    p = subprocess.run([li2_command, "export", run, "out=" + str(tmp_path / "npy")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert p.returncode != 0 and p.stderr.count("\n") == 1 and "transformer" in p.stderr
    assert not os.path.exists(str(tmp_path / "npy"))
