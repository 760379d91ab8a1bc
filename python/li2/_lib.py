"""Loading libli2 and declaring the C functions the package calls (ctypes).

The library is found, in order, at $LI2_LIBRARY (a path to libli2.so), in
the libdir li2 was installed to (_config.py, written by `make install`),
and by the dynamic loader's search (ctypes.util.find_library)."""
import ctypes
import ctypes.util
import os

c_double_p = ctypes.POINTER(ctypes.c_double)
c_int_p = ctypes.POINTER(ctypes.c_int)
c_long_p = ctypes.POINTER(ctypes.c_long)
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_u32_p = ctypes.POINTER(ctypes.c_uint32)


class Li2Error(RuntimeError):
    """A failing li2 call: CODE is li2's status (src/error.h), the message
    the library's one line."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("msg", ctypes.c_char * 512)]


def _candidates():
    env = os.environ.get("LI2_LIBRARY")
    if env:
        yield env
        return
    try:
        from . import _config
        yield os.path.join(_config.LIBDIR, "libli2.so.0")
    except ImportError:
        pass
    found = ctypes.util.find_library("li2")
    if found:
        yield found
    yield "libli2.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("li2: cannot load libli2 (set LI2_LIBRARY to the path of libli2.so): "
                      + "; ".join(errors))


lib = _load()

# (name, restype, argtypes); opaque objects are void pointers
_P = ctypes.c_void_p
_E = ctypes.POINTER(_Error)
_PROTOS = [
    ("li2_ffi_error_size", ctypes.c_size_t, []),
    ("li2_ffi_free", None, [_P]),
    ("li2_group_alloc_name", _P, [ctypes.c_char_p, _E]),
    ("li2_group_alloc_table", _P, [ctypes.c_size_t, c_int_p, ctypes.c_char_p, _E]),
    ("li2_group_free", None, [_P]),
    ("li2_ffi_group_order", ctypes.c_size_t, [_P]),
    ("li2_ffi_group_name", ctypes.c_char_p, [_P]),
    ("li2_ffi_group_abelian", ctypes.c_int, [_P]),
    ("li2_ffi_group_identity", ctypes.c_int, [_P]),
    ("li2_ffi_group_table", None, [_P, c_int_p]),
    ("li2_characters_alloc", _P, [_P, _E]),
    ("li2_characters_free", None, [_P]),
    ("li2_characters_predicted_energy", ctypes.c_double, [_P, ctypes.c_size_t, ctypes.c_size_t]),
    ("li2_ffi_characters_nirreps", ctypes.c_size_t, [_P]),
    ("li2_ffi_characters_ncomponents", ctypes.c_size_t, [_P]),
    ("li2_ffi_characters_table", None, [_P, c_double_p, c_double_p]),
    ("li2_ffi_characters_classes", None, [_P, _P, c_int_p, c_long_p, c_int_p, c_int_p]),
    ("li2_ffi_characters_irreps", None, [_P, c_int_p, c_int_p, c_int_p, c_int_p]),
    ("li2_fourier_alloc", _P, [_P, _P, ctypes.c_int, _E]),
    ("li2_fourier_free", None, [_P]),
    ("li2_fourier_ncomponents", ctypes.c_size_t, [_P]),
    ("li2_fourier_power", ctypes.c_int, [_P, c_double_p, c_double_p]),
    ("li2_ffi_energy_alloc", _P, [_P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_long,
                                  ctypes.c_ulong, _E]),
    ("li2_ffi_energy_free", None, [_P]),
    ("li2_ffi_energy_dim", ctypes.c_size_t, [_P]),
    ("li2_ffi_energy_eval", ctypes.c_int, [_P, c_double_p, c_double_p, c_double_p]),
    ("li2_ffi_maxima_search", _P, [_P, _P, _P, ctypes.c_size_t, ctypes.c_ulong, ctypes.c_int,
                                   _E]),
    ("li2_ffi_maxima_sizes", None, [_P, c_size_p]),
    ("li2_ffi_maxima_points", None, [_P, c_double_p, c_int_p, c_int_p, c_double_p,
                                     c_double_p, c_double_p]),
    ("li2_maxima_result_free", None, [_P]),
    ("li2_process_set_threads", None, [ctypes.c_int]),
    ("li2_ffi_trainer_alloc", _P, [ctypes.c_char_p, _E]),
    ("li2_trainer_free", None, [_P]),
    ("li2_trainer_iterate", ctypes.c_int, [_P, _E]),
    ("li2_trainer_epoch", ctypes.c_long, [_P]),
    ("li2_trainer_save", ctypes.c_int, [_P, ctypes.c_char_p, _E]),
    ("li2_ffi_trainer_dims", None, [_P, c_size_p]),
    ("li2_ffi_trainer_params", None, [_P, c_double_p, c_double_p, c_double_p]),
    ("li2_ffi_trainer_test", ctypes.c_int, [_P, c_double_p, _E]),
    ("li2_checkpoint_read", _P, [ctypes.c_char_p, _E]),
    ("li2_checkpoint_free", None, [_P]),
    ("li2_ffi_checkpoint_dims", None, [_P, c_long_p]),
    ("li2_ffi_checkpoint_arrays", None, [_P, c_double_p, c_double_p, c_double_p, c_u32_p]),
    ("li2_ffi_checkpoint_config_text", ctypes.c_char_p, [_P]),
    ("li2_ffi_compare_json", ctypes.c_void_p, [ctypes.c_char_p, _E]),
    ("li2_export_run", ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, _P,
                                      _E]),
]
for _name, _res, _args in _PROTOS:
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

if lib.li2_ffi_error_size() != ctypes.sizeof(_Error):
    raise ImportError("li2: libli2's li2_error has another layout than this package expects")


def new_error():
    return _Error()


def check(rc, err):
    """Raise Li2Error for a non-zero status RC (message from ERR)."""
    if rc:
        raise Li2Error(rc, err.msg.decode("utf-8", "replace") or "li2 error %d" % rc)


def check_ptr(p, err):
    """Raise Li2Error when an allocator returned NULL."""
    if not p:
        raise Li2Error(err.code or 1, err.msg.decode("utf-8", "replace") or "li2: allocation failed")
    return p
