# SPDX-License-Identifier: Apache-2.0
"""Sesame's Python SDK: ctypes over libsesame.

    from sesame import Client, SyncClient, SessionAuth

    client = await Client.authenticate(auth=token, integration_name="my-app",
                                       integration_version="1.0.0")
    password = await client.secrets.resolve("op://prod/db/password")

docs/sdk.md has the whole API.
"""
from .client import (DEFAULT_INTEGRATION_NAME, DEFAULT_INTEGRATION_VERSION, Client,
                     Secrets, SessionAuth, SyncClient)
from .errors import *  # noqa: F401,F403
from .types import *  # noqa: F401,F403

__version__ = "0.1.0"


def library_version():
    """The version of the libsesame in use."""
    from . import _lib
    return _lib.lib().sesame_version().decode()
