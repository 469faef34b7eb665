# SPDX-License-Identifier: Apache-2.0
"""Loads libsesame with ctypes and declares the C API the binding uses.

Search order: $SESAME_LIBRARY (a path to libsesame.so), then
$SESAME_BUILD_DIR/libsesame.so, then the build directories of the source
tree this package sits in (build/release, build/dev, build/*), then the
system's libsesame.so.0 (ldconfig).
"""
import ctypes
import ctypes.util
import glob
import os
import threading

from . import errors

_lock = threading.Lock()
_lib = None


def _candidates():
    env = os.environ.get("SESAME_LIBRARY")
    if env:
        yield env
        return
    bd = os.environ.get("SESAME_BUILD_DIR")
    if bd:
        yield os.path.join(bd, "libsesame.so")
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    for sub in ("release", "dev"):
        yield os.path.join(root, "build", sub, "libsesame.so")
    for p in sorted(glob.glob(os.path.join(root, "build", "*", "libsesame.so"))):
        yield p
    found = ctypes.util.find_library("sesame")
    if found:
        yield found
    yield "libsesame.so.0"


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("kind", ctypes.c_char_p),
                ("message", ctypes.c_char_p)]


class ClientOptions(ctypes.Structure):
    """sesame_client_options, version 1 (include/sesame/client.h)."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("service_account_token", ctypes.c_char_p),
        ("session_key", ctypes.c_char_p),
        ("session_file", ctypes.c_char_p),
        ("integration_name", ctypes.c_char_p),
        ("integration_version", ctypes.c_char_p),
        ("server_url", ctypes.c_char_p),
        ("insecure", ctypes.c_int),
        ("timeout_ms", ctypes.c_int),
        ("cache_ttl_s", ctypes.c_uint),
        ("max_connections", ctypes.c_uint),
        ("max_attempts", ctypes.c_uint),
        ("max_retry_after_s", ctypes.c_uint),
    ]


OPTIONS_VERSION = 1


def _declare(lib):
    vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    lib.sesame_version.restype = cp
    lib.sesame_version.argtypes = []
    lib.sesame_error_last.restype = ctypes.POINTER(_Error)
    lib.sesame_error_last.argtypes = []
    lib.sesame_error_retry_after.restype = ctypes.c_longlong
    lib.sesame_error_retry_after.argtypes = []
    lib.sesame_client_options_init.restype = i
    lib.sesame_client_options_init.argtypes = [ctypes.POINTER(ClientOptions), ctypes.c_uint]
    lib.sesame_client_new.restype = i
    lib.sesame_client_new.argtypes = [ctypes.POINTER(vp), ctypes.POINTER(ClientOptions)]
    lib.sesame_client_free.restype = None
    lib.sesame_client_free.argtypes = [vp]
    lib.sesame_client_invoke.restype = i
    lib.sesame_client_invoke.argtypes = [vp, cp, cp, ctypes.POINTER(vp)]
    lib.sesame_free.restype = None
    lib.sesame_free.argtypes = [vp]
    lib.sesame_reference_validate.restype = i
    lib.sesame_reference_validate.argtypes = [cp]
    lib.sesame_password_generate.restype = i
    lib.sesame_password_generate.argtypes = [ctypes.c_char_p, ctypes.c_size_t, vp,
                                             ctypes.POINTER(ctypes.c_double)]
    lib.sesame_password_recipe_parse.restype = i
    lib.sesame_password_recipe_parse.argtypes = [vp, cp]


def lib():
    """The loaded library (loaded once, thread-safe)."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for path in _candidates():
            if os.sep in path and not os.path.exists(path):
                tried.append(path)
                continue
            try:
                loaded = ctypes.CDLL(path)
            except OSError as e:
                tried.append(f"{path} ({e})")
                continue
            _declare(loaded)
            _lib = loaded
            return _lib
        raise errors.LibraryNotFoundError(
            "cannot load libsesame; set SESAME_LIBRARY to its path (tried: "
            + ", ".join(tried) + ")")


def last_error(code):
    """The exception for `code`, from the calling thread's last error."""
    e = lib().sesame_error_last().contents
    kind = (e.kind or b"").decode("utf-8", "replace")
    message = (e.message or b"").decode("utf-8", "replace")
    retry_after = lib().sesame_error_retry_after() if code == errors.ERATELIMIT else 0
    return errors.from_code(code, kind, message, retry_after)


def take_string(ptr):
    """Copies a string the library returned, then wipes and frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib().sesame_free(ptr)
