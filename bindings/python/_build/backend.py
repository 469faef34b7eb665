# SPDX-License-Identifier: Apache-2.0
"""A PEP 517 build backend made of the standard library only.

Builds a pure-Python wheel of the `sesame` package (and an sdist), so the
binding installs offline with `pip install --no-build-isolation --no-index`
on machines without setuptools. Only what pip needs is implemented.
"""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "sesame_sdk"
DIST = "sesame-sdk"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"

METADATA = f"""Metadata-Version: 2.1
Name: {DIST}
Version: {VERSION}
Summary: Python SDK for Sesame, the self-hosted end-to-end-encrypted secrets manager
License: Apache-2.0
Requires-Python: >=3.8
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: sesame-backend
Root-Is-Purelib: true
Tag: {TAG}
"""


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _package_files():
    pkg = os.path.join(ROOT, "sesame")
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py") or name == "py.typed":
            yield os.path.join(pkg, name), f"sesame/{name}"


def _hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _dist_info():
    return f"{NAME}-{VERSION}.dist-info"


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, _dist_info())
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(METADATA)
    with open(os.path.join(d, "WHEEL"), "w") as f:
        f.write(WHEEL)
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{NAME}-{VERSION}-{TAG}.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w",
                         zipfile.ZIP_DEFLATED) as z:
        def add(arcname, data):
            z.writestr(arcname, data)
            records.append(f"{arcname},{_hash(data)},{len(data)}")

        for path, arc in _package_files():
            with open(path, "rb") as f:
                add(arc, f.read())
        add(f"{_dist_info()}/METADATA", METADATA.encode())
        add(f"{_dist_info()}/WHEEL", WHEEL.encode())
        records.append(f"{_dist_info()}/RECORD,,")
        z.writestr(f"{_dist_info()}/RECORD", "\n".join(records) + "\n")
    return name


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{VERSION}"
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/backend.py"]:
            p = os.path.join(ROOT, rel)
            if os.path.exists(p):
                t.add(p, f"{base}/{rel}")
        for path, arc in _package_files():
            t.add(path, f"{base}/{arc}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return name
