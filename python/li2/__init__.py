"""li2 from Python: finite groups, character tables, Fourier power, the
Stage II energy and its maxima, training and compare, with NumPy arrays.

A thin ctypes layer over the installed libli2 (nothing to compile): every
number comes from the same C code as the li2 command.  Arrays returned are
NumPy arrays owned by Python (copies of the library's).

    >>> import li2
    >>> S4 = li2.Group("S4")
    >>> S4.characters().table.real.round(6)        # 5 x 5
    >>> t, m = li2.train(group="Z7", hidden_size=32, num_epochs=50)
    >>> t.W.shape                                   # (14, 32)
"""
import ctypes
import json
import os
import tempfile

import numpy as np

from ._lib import Li2Error, lib, new_error, check, check_ptr, c_double_p, c_int_p, \
    c_long_p, c_size_p, c_u32_p

__all__ = ["Li2Error", "Group", "CharacterTable", "fourier_power", "Energy", "Trainer",
           "train", "compare", "load_checkpoint", "export", "load_export", "METRICS"]

#: the columns of metrics.tsv (li2 train) and of Trainer.metrics()
METRICS = ("epoch", "train_acc", "test_acc", "train_loss", "test_loss", "gf_norm", "w_norm",
           "v_norm", "ftf_diag", "ftf_offdiag", "lr")


def _dp(a):
    return a.ctypes.data_as(c_double_p)


def _ip(a):
    return a.ctypes.data_as(c_int_p)


def _b(s):
    return None if s is None else str(s).encode()


class Group:
    """A finite group by li2's name ("Z71", "Z4xZ6", "S4", "D5", "Z7:Z3",
    "file:PATH#K", ...) or, with Group.from_table, by its Cayley table.
    Elements are 0..order-1; table[a, b] is the index of a b."""

    def __init__(self, name=None, _ptr=None):
        if _ptr is None:
            err = new_error()
            _ptr = check_ptr(lib.li2_group_alloc_name(_b(name), ctypes.byref(err)), err)
        self._p = _ptr
        self._ct = None

    @classmethod
    def from_table(cls, table, name=None):
        """The group of an M x M Cayley table (validated: LI2_ENOTGROUP
        otherwise)."""
        t = np.ascontiguousarray(table, dtype=np.intc)
        if t.ndim != 2 or t.shape[0] != t.shape[1]:
            raise ValueError("table: a square M x M array is needed")
        err = new_error()
        p = check_ptr(lib.li2_group_alloc_table(t.shape[0], _ip(t), _b(name), ctypes.byref(err)),
                      err)
        return cls(_ptr=p)

    def __del__(self):
        if getattr(self, "_p", None):
            lib.li2_group_free(self._p)
            self._p = None

    @property
    def order(self):
        return int(lib.li2_ffi_group_order(self._p))

    def __len__(self):
        return self.order

    @property
    def name(self):
        return lib.li2_ffi_group_name(self._p).decode()

    @property
    def abelian(self):
        return bool(lib.li2_ffi_group_abelian(self._p))

    @property
    def identity(self):
        return int(lib.li2_ffi_group_identity(self._p))

    @property
    def table(self):
        """The Cayley table, M x M int array."""
        M = self.order
        t = np.empty((M, M), dtype=np.intc)
        lib.li2_ffi_group_table(self._p, _ip(t))
        return t

    def characters(self):
        """The character table (computed once, then cached)."""
        if self._ct is None:
            self._ct = CharacterTable(self)
        return self._ct

    def __repr__(self):
        return "li2.Group(%r)  # order %d" % (self.name, self.order)


class CharacterTable:
    """Irreducible characters of a group (Burnside-Dixon, or the closed
    form of abelian groups) and its real irreducible components.

    table        nirreps x nclasses complex array, chi_i(class c)
    degrees, indicators (Frobenius-Schur), components (real component of
    each irrep), real_dims (d_R of that component): per irrep
    class_of (per element), class_sizes, class_reps, class_orders"""

    def __init__(self, group):
        err = new_error()
        self.group = group
        self._p = check_ptr(lib.li2_characters_alloc(group._p, ctypes.byref(err)), err)
        self._f = None
        n = int(lib.li2_ffi_characters_nirreps(self._p))
        re = np.empty((n, n))
        im = np.empty((n, n))
        lib.li2_ffi_characters_table(self._p, _dp(re), _dp(im))
        self.table = re + 1j * im
        self.class_of = np.empty(group.order, dtype=np.intc)
        self.class_sizes = np.empty(n, dtype=np.int_)
        self.class_reps = np.empty(n, dtype=np.intc)
        self.class_orders = np.empty(n, dtype=np.intc)
        lib.li2_ffi_characters_classes(group._p, self._p, _ip(self.class_of),
                                       self.class_sizes.ctypes.data_as(c_long_p),
                                       _ip(self.class_reps), _ip(self.class_orders))
        self.degrees = np.empty(n, dtype=np.intc)
        self.indicators = np.empty(n, dtype=np.intc)
        self.components = np.empty(n, dtype=np.intc)
        self.real_dims = np.empty(n, dtype=np.intc)
        lib.li2_ffi_characters_irreps(self._p, _ip(self.degrees), _ip(self.indicators),
                                      _ip(self.components), _ip(self.real_dims))
        self.ncomponents = int(lib.li2_ffi_characters_ncomponents(self._p))

    def __del__(self):
        if getattr(self, "_f", None):
            lib.li2_fourier_free(self._f)
            self._f = None
        if getattr(self, "_p", None):
            lib.li2_characters_free(self._p)
            self._p = None

    @property
    def nirreps(self):
        return self.table.shape[0]

    def predicted_energy(self, component):
        """Predicted maximal energy M/(2 d_R) of a real component on the unit
        sphere (NaN for the trivial one)."""
        return float(lib.li2_characters_predicted_energy(self._p, self.group.order, component))

    def _fourier(self):
        if self._f is None:
            err = new_error()
            self._f = check_ptr(lib.li2_fourier_alloc(self.group._p, self._p, 0,
                                                      ctypes.byref(err)), err)
        return self._f

    def __repr__(self):
        return "li2.CharacterTable(%s: %d irreps, %d real components)" % (
            self.group.name, self.nirreps, self.ncomponents)


def fourier_power(group, u):
    """|P_c u|^2 for every real component c of GROUP: U has the group's order
    as its last axis (one vector, or a stack: rows of W.T, say); the result
    has ncomponents as its last axis and sums to |u|^2 over it."""
    ct = group.characters()
    f = ct._fourier()
    a = np.ascontiguousarray(u, dtype=np.float64)
    M = group.order
    if a.shape[-1] != M:
        raise ValueError("u: last axis %d, the group's order is %d" % (a.shape[-1], M))
    flat = a.reshape(-1, M)
    nc = int(lib.li2_fourier_ncomponents(f))
    out = np.empty((flat.shape[0], nc))
    for i in range(flat.shape[0]):
        row = np.ascontiguousarray(flat[i])
        pw = out[i]
        rc = lib.li2_fourier_power(f, _dp(row), _dp(pw))
        check(rc, new_error())
    return out.reshape(a.shape[:-1] + (nc,))


class Energy:
    """The Stage II energy E(w) of one hidden node, w = [u; v] (2M values),
    on the full table (NTRAIN <= 0) or NTRAIN training pairs of the
    trainer's split with SEED; ACTIVATION sqr, relu, silu, ...; VARIANT
    raw, normalized or uncentred."""

    def __init__(self, group, activation="sqr", variant="raw", ntrain=0, seed=0):
        err = new_error()
        self.group = group
        self._p = check_ptr(lib.li2_ffi_energy_alloc(group._p, _b(activation), _b(variant),
                                                     int(ntrain), int(seed), ctypes.byref(err)),
                            err)
        self.dim = int(lib.li2_ffi_energy_dim(self._p))

    def __del__(self):
        if getattr(self, "_p", None):
            lib.li2_ffi_energy_free(self._p)
            self._p = None

    def _w(self, w):
        a = np.ascontiguousarray(w, dtype=np.float64)
        if a.shape != (self.dim,):
            raise ValueError("w: shape %s, expected (%d,)" % (a.shape, self.dim))
        return a

    def __call__(self, w):
        a = self._w(w)
        E = ctypes.c_double()
        check(lib.li2_ffi_energy_eval(self._p, _dp(a), ctypes.byref(E), None), new_error())
        return E.value

    def gradient(self, w):
        """(E(w), the gradient of E at w)."""
        a = self._w(w)
        E = ctypes.c_double()
        g = np.empty(self.dim)
        check(lib.li2_ffi_energy_eval(self._p, _dp(a), ctypes.byref(E), _dp(g)), new_error())
        return E.value, g

    def maxima(self, starts=8, seed=1, threads=1):
        """Certified local maxima on the unit sphere from STARTS random
        starts plus one per real component (li2 maxima).  A dict of arrays
        per start: energy, label (0 max, 1 saddle, 2 degenerate), component
        (dominant real component, -1 none), purity, w (end points, starts x
        dim); level: the predicted maximal energy per component (NaN: none)."""
        err = new_error()
        ct = self.group.characters()
        r = check_ptr(lib.li2_ffi_maxima_search(self._p, self.group._p, ct._p, int(starts),
                                                int(seed), int(threads), ctypes.byref(err)), err)
        try:
            sz = (ctypes.c_size_t * 3)()
            lib.li2_ffi_maxima_sizes(r, sz)
            n, dim, nc = sz[0], sz[1], sz[2]
            out = {"energy": np.empty(n), "label": np.empty(n, dtype=np.intc),
                   "component": np.empty(n, dtype=np.intc), "purity": np.empty(n),
                   "w": np.empty((n, dim)), "level": np.empty(nc)}
            lib.li2_ffi_maxima_points(r, _dp(out["energy"]), _ip(out["label"]),
                                      _ip(out["component"]), _dp(out["purity"]), _dp(out["w"]),
                                      _dp(out["level"]))
        finally:
            lib.li2_maxima_result_free(r)
        return out


def _config_text(config):
    lines = []
    for k, v in config.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        lines.append("%s=%s\n" % (k, v))
    return "".join(lines)


class Trainer:
    """li2's trainer (the reference's two-layer network, li2 train's keys:
    group, hidden_size, activation, optim, learning_rate, weight_decay,
    test_size, seed, ...), set up at epoch 0.  step() runs epochs,
    metrics() measures (metrics.tsv's columns), W/L/V are copies of the
    parameters in doc/checkpoint.md's layout, save() writes a checkpoint
    li2 compare, li2 gradient and li2 export read."""

    def __init__(self, threads=1, **config):
        lib.li2_process_set_threads(int(threads))
        err = new_error()
        self.config = dict(config)
        self._p = check_ptr(lib.li2_ffi_trainer_alloc(_config_text(config).encode(),
                                                      ctypes.byref(err)), err)
        d = (ctypes.c_size_t * 6)()
        lib.li2_ffi_trainer_dims(self._p, d)
        self.M, self.K, self.nops, self.other_layers, self.ntrain, self.ntest = list(d)

    def __del__(self):
        if getattr(self, "_p", None):
            lib.li2_trainer_free(self._p)
            self._p = None

    @property
    def epoch(self):
        return int(lib.li2_trainer_epoch(self._p))

    def step(self, epochs=1):
        err = new_error()
        for _ in range(int(epochs)):
            check(lib.li2_trainer_iterate(self._p, ctypes.byref(err)), err)

    def metrics(self):
        m = np.empty(len(METRICS))
        err = new_error()
        check(lib.li2_ffi_trainer_test(self._p, _dp(m), ctypes.byref(err)), err)
        return dict(zip(METRICS, m.tolist()))

    def _params(self):
        W = np.empty((self.nops * self.M, self.K))
        L = np.empty((self.other_layers, self.K, self.K))
        V = np.empty((self.K, self.M))
        lib.li2_ffi_trainer_params(self._p, _dp(W), _dp(L), _dp(V))
        return W, L, V

    @property
    def W(self):
        return self._params()[0]

    @property
    def L(self):
        return self._params()[1]

    @property
    def V(self):
        return self._params()[2]

    def save(self, path):
        err = new_error()
        check(lib.li2_trainer_save(self._p, _b(path), ctypes.byref(err)), err)

    def compare(self):
        """li2 compare on the current parameters (through a temporary
        checkpoint): compare.json as a dict."""
        with tempfile.TemporaryDirectory(prefix="li2-") as d:
            path = os.path.join(d, "checkpoint.li2")
            self.save(path)
            return compare(path)


def train(num_epochs=100, eval_interval=10, threads=1, **config):
    """A small run: a Trainer for CONFIG trained NUM_EPOCHS epochs, measured
    every EVAL_INTERVAL epochs and at the end as li2 train does (row e
    before epoch e's step).  Returns (trainer, metrics) with metrics a
    structured array with METRICS as fields."""
    t = Trainer(threads=threads, num_epochs=num_epochs, **config)
    rows = []
    for e in range(int(num_epochs)):
        if e % int(eval_interval) == 0:
            rows.append(tuple(t.metrics()[k] for k in METRICS))
        t.step()
    rows.append(tuple(t.metrics()[k] for k in METRICS))
    return t, np.array(rows, dtype=[(k, "f8") for k in METRICS])


def compare(checkpoint):
    """li2 compare of one checkpoint file (default parameters): the fields of
    compare.json (test_acc, active_nodes, at_predicted_max_fraction,
    coverage, missing, ...) as a dict."""
    err = new_error()
    p = check_ptr(lib.li2_ffi_compare_json(_b(checkpoint), ctypes.byref(err)), err)
    try:
        text = ctypes.string_at(p).decode()
    finally:
        lib.li2_ffi_free(p)
    return json.loads(text)


def _checkpoint_file(run, epoch=None):
    if os.path.isdir(run):
        return os.path.join(run, "checkpoint.li2" if epoch is None else "ckpt-%06d.li2" % epoch)
    return run


def load_checkpoint(run, epoch=None):
    """A checkpoint read by libli2 (run directory or .li2 file; EPOCH picks
    ckpt-EPOCH.li2): dict with W, L, V (float64), train_samples,
    test_samples (uint32), M, K, num_of_ops, other_layers, epoch,
    grok_epoch (-1: none) and config (dict of strings)."""
    err = new_error()
    path = _checkpoint_file(run, epoch)
    c = check_ptr(lib.li2_checkpoint_read(_b(path), ctypes.byref(err)), err)
    try:
        d = (ctypes.c_long * 8)()
        lib.li2_ffi_checkpoint_dims(c, d)
        M, K, k, r, ntr, nte, ep, grok = list(d)
        W = np.empty((k * M, K))
        L = np.empty((r, K, K))
        V = np.empty((K, M))
        split = np.empty(ntr + nte, dtype=np.uint32)
        lib.li2_ffi_checkpoint_arrays(c, _dp(W), _dp(L), _dp(V), split.ctypes.data_as(c_u32_p))
        text = lib.li2_ffi_checkpoint_config_text(c).decode()
    finally:
        lib.li2_checkpoint_free(c)
    config = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {"W": W, "L": L, "V": V, "train_samples": split[:ntr], "test_samples": split[ntr:],
            "M": M, "K": K, "num_of_ops": k, "other_layers": r, "epoch": ep, "grok_epoch": grok,
            "config": config}


def export(run, out, checkpoint="latest"):
    """li2 export: RUN's checkpoint (latest, an epoch, or all) as .npy files
    and run.npz in OUT."""
    err = new_error()
    check(lib.li2_export_run(_b(run), _b(checkpoint), _b(out), None, ctypes.byref(err)), err)
    return out


def load_export(out):
    """The arrays li2 export wrote to OUT (run.npz) as a dict; config is the
    configuration as a dict of strings."""
    with np.load(os.path.join(out, "run.npz")) as z:
        d = {k: z[k] for k in z.files}
    text = bytes(d.pop("config")).decode()
    d["config"] = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    return d
