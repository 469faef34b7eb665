# SPDX-License-Identifier: Apache-2.0
"""Clients: SyncClient (blocking) and Client (asyncio, 1Password's names).

Both drive libsesame's one entry point, sesame_client_invoke(), with an
operation name and JSON parameters. ctypes releases the GIL during each
call and one C client serves many threads at once, so the asyncio client
runs calls on a thread pool and they overlap on the network.
"""
import asyncio
import base64
import concurrent.futures
import ctypes
import functools
import json
import threading

from . import _lib
from . import errors
from .types import (Event, EventsPage, FileAttributes, RateLimitUsage, Group, Item, ItemCreateParams, ItemOverview, ItemsDeleteAllResponse,
                    ItemsGetAllResponse, ResolveAllResponse, ResolvedReference,
                    ResolveReferenceError, Response, User, Vault, VaultOverview)

DEFAULT_INTEGRATION_NAME = "Unknown"
DEFAULT_INTEGRATION_VERSION = "Unknown"


class SessionAuth:
    """A signed-in CLI session: SESAME_SESSION's value (and the session file)."""

    def __init__(self, key, file=None):
        self.key = key
        self.file = file

    def __repr__(self):
        return "SessionAuth(key=<hidden>)"


def _b(s):
    return s.encode("utf-8") if s is not None else None


def _dict(x):
    return x.to_dict() if hasattr(x, "to_dict") else x


class _Core:
    """One C client (sesame_client)."""

    def __init__(self, auth=None, integration_name=DEFAULT_INTEGRATION_NAME,
                 integration_version=DEFAULT_INTEGRATION_VERSION, server_url=None,
                 timeout_ms=0, cache_ttl=0, max_connections=0, max_attempts=0,
                 max_retry_after=0, insecure=False):
        lib = _lib.lib()
        opts = _lib.ClientOptions()
        rc = lib.sesame_client_options_init(ctypes.byref(opts), _lib.OPTIONS_VERSION)
        if rc:
            raise _lib.last_error(rc)
        if isinstance(auth, SessionAuth):
            opts.session_key = _b(auth.key)
            opts.session_file = _b(auth.file)
        elif isinstance(auth, str):
            opts.service_account_token = _b(auth)
        elif auth is not None:
            raise errors.InvalidArgumentError("auth must be a token string or a SessionAuth",
                                              errors.EINVAL, "invalid_argument")
        opts.integration_name = _b(integration_name)
        opts.integration_version = _b(integration_version)
        opts.server_url = _b(server_url)
        opts.insecure = 1 if insecure else 0
        opts.timeout_ms = int(timeout_ms)
        opts.cache_ttl_s = int(cache_ttl)
        opts.max_connections = int(max_connections)
        opts.max_attempts = int(max_attempts)
        opts.max_retry_after_s = int(max_retry_after)
        handle = ctypes.c_void_p()
        rc = lib.sesame_client_new(ctypes.byref(handle), ctypes.byref(opts))
        if rc:
            raise _lib.last_error(rc)
        self._lib = lib
        self._handle = handle
        self._closed = False
        self._lock = threading.Lock()

    def invoke(self, operation, params=None):
        """Runs a named operation; returns the decoded JSON result."""
        if self._closed:
            raise errors.SesameError("the client is closed", errors.EINVAL, "client_closed")
        out = ctypes.c_void_p()
        text = json.dumps(params or {}).encode("utf-8")
        rc = self._lib.sesame_client_invoke(self._handle, operation.encode(), text,
                                            ctypes.byref(out))
        if rc:
            raise _lib.last_error(rc)
        return json.loads(_lib.take_string(out.value))

    def close(self):
        with self._lock:
            if not self._closed and self._handle:
                self._lib.sesame_client_free(self._handle)
            self._closed = True

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def _responses(d, shape):
    out = {}
    items = d.items() if isinstance(d, dict) else enumerate(d)
    for k, v in items:
        content = v.get("content")
        err = v.get("error")
        out[k] = Response(shape(content) if content is not None else None,
                          ResolveReferenceError.from_dict(err) if err else None)
    return out if isinstance(d, dict) else [out[i] for i in range(len(d))]


class SecretsSync:
    def __init__(self, core):
        self._core = core

    def resolve(self, secret_reference):
        """The value of `op://vault/item/[section/]field`."""
        return self._core.invoke("SecretsResolve", {"secret_reference": secret_reference})

    def resolve_all(self, secret_references):
        """Many references in one round trip; per-reference content or error."""
        r = self._core.invoke("SecretsResolveAll",
                              {"secret_references": list(secret_references)})
        return ResolveAllResponse(_responses(r["individualResponses"],
                                             ResolvedReference.from_dict))

    @staticmethod
    def validate_secret_reference(secret_reference):
        """Raises InvalidArgumentError unless the syntax is valid (offline)."""
        lib = _lib.lib()
        rc = lib.sesame_reference_validate(_b(secret_reference))
        if rc:
            raise _lib.last_error(rc)

    @staticmethod
    def generate_password(recipe="letters,digits,symbols,32"):
        """A password from op's recipe string ("letters,digits,32", "digits,6")."""
        lib = _lib.lib()
        rec = ctypes.create_string_buffer(64)
        rc = lib.sesame_password_recipe_parse(rec, _b(recipe))
        if rc:
            raise _lib.last_error(rc)
        buf = ctypes.create_string_buffer(256)
        try:
            rc = lib.sesame_password_generate(buf, 256, rec, None)
            if rc:
                raise _lib.last_error(rc)
            return buf.value.decode()
        finally:
            ctypes.memset(buf, 0, 256)


# 1Password's spelling of the static helpers: Secrets.validate_secret_reference(...).
Secrets = SecretsSync


class ItemsFilesSync:
    """Files of items and Documents (1Password's client.items.files)."""

    def __init__(self, core):
        self._core = core

    def attach(self, item, file_params):
        """Uploads `file_params.content` (bytes) and returns the item listing it."""
        return Item.from_dict(self._core.invoke("ItemsFilesAttach", {
            "item": _dict(item), "file_params": _dict(file_params)}))

    def read(self, vault_id, item_id, attr):
        """The content (bytes) of the file with attributes `attr` (or its id)."""
        a = _dict(attr) if not isinstance(attr, str) else {"id": attr}
        r = self._core.invoke("ItemsFilesRead", {"vault_id": vault_id, "item_id": item_id,
                                                 "attr": a})
        return base64.b64decode(r)

    def delete(self, item, section_id, field_id):
        """Removes the file shown in section_id/field_id; returns the new item."""
        return Item.from_dict(self._core.invoke("ItemsFilesDelete", {
            "item": _dict(item), "section_id": section_id, "field_id": field_id}))

    def replace_document(self, item, doc_params):
        """New content for a Document item; returns the new item."""
        return Item.from_dict(self._core.invoke("ItemsFilesReplaceDocument", {
            "item": _dict(item), "doc_params": _dict(doc_params)}))


class EventsSync:
    """Audit events (admins): one page at a time, or every event with all()."""

    def __init__(self, core):
        self._core = core

    def list(self, cursor=None, limit=None, actor_id=None, vault_id=None, item_id=None,
             start_time=None, end_time=None):
        p = {k: v for k, v in (("cursor", cursor), ("limit", limit), ("actor_id", actor_id),
                               ("vault_id", vault_id), ("item_id", item_id),
                               ("start_time", start_time), ("end_time", end_time))
             if v is not None}
        r = self._core.invoke("Events", p)
        return EventsPage([Event.from_dict(e) for e in r["events"]], r["cursor"],
                          bool(r["hasMore"]))

    def all(self, **filters):
        cursor = filters.pop("cursor", None)
        out = []
        while True:
            page = self.list(cursor=cursor, **filters)
            out.extend(page.events)
            if not page.has_more:
                return out
            cursor = page.cursor


class ItemsSync:
    def __init__(self, core):
        self._core = core
        self.files = ItemsFilesSync(core)

    def create(self, params):
        return Item.from_dict(self._core.invoke("ItemsCreate", {"params": _dict(params)}))

    def create_all(self, vault_id, params):
        r = self._core.invoke("ItemsCreateAll", {"vault_id": vault_id,
                                                 "params": [_dict(p) for p in params]})
        return ItemsGetAllResponse(_responses(r["individualResponses"], Item.from_dict))

    def get(self, vault_id, item_id):
        return Item.from_dict(self._core.invoke("ItemsGet", {"vault_id": vault_id,
                                                             "item_id": item_id}))

    def get_all(self, vault_id, item_ids):
        r = self._core.invoke("ItemsGetAll", {"vault_id": vault_id,
                                              "item_ids": list(item_ids)})
        return ItemsGetAllResponse(_responses(r["individualResponses"], Item.from_dict))

    def put(self, item):
        return Item.from_dict(self._core.invoke("ItemsPut", {"item": _dict(item)}))

    def delete(self, vault_id, item_id):
        self._core.invoke("ItemsDelete", {"vault_id": vault_id, "item_id": item_id})

    def delete_all(self, vault_id, item_ids):
        r = self._core.invoke("ItemsDeleteAll", {"vault_id": vault_id,
                                                 "item_ids": list(item_ids)})
        return ItemsDeleteAllResponse(_responses(r["individualResponses"], lambda c: c))

    def archive(self, vault_id, item_id):
        self._core.invoke("ItemsArchive", {"vault_id": vault_id, "item_id": item_id})

    def restore(self, vault_id, item_id):
        self._core.invoke("ItemsRestore", {"vault_id": vault_id, "item_id": item_id})

    def list(self, vault_id, *filters):
        r = self._core.invoke("ItemsList", {"vault_id": vault_id, "filters": list(filters)})
        return [ItemOverview.from_dict(o) for o in r]


class VaultsSync:
    def __init__(self, core):
        self._core = core

    def list(self, params=None):
        return [VaultOverview.from_dict(v) for v in self._core.invoke("VaultsList", {})]

    def get_overview(self, vault_id):
        return VaultOverview.from_dict(self._core.invoke("VaultsGetOverview",
                                                         {"vault_id": vault_id}))

    def get(self, vault_id, accessors=False):
        return Vault.from_dict(self._core.invoke("VaultsGet", {
            "vault_id": vault_id, "vault_params": {"accessors": bool(accessors)}}))

    def create(self, title=None, description=None, allow_admins_access=True, params=None):
        p = _dict(params) if params is not None else {
            "title": title, "description": description or "",
            "allowAdminsAccess": allow_admins_access}
        return Vault.from_dict(self._core.invoke("VaultsCreate", {"params": p}))

    def update(self, vault_id, title=None, description=None):
        p = {k: v for k, v in (("title", title), ("description", description)) if v is not None}
        return Vault.from_dict(self._core.invoke("VaultsUpdate", {"vault_id": vault_id,
                                                                  "params": p}))

    def delete(self, vault_id):
        self._core.invoke("VaultsDelete", {"vault_id": vault_id})

    def grant_group_permissions(self, vault_id, group_permissions_list):
        self._core.invoke("VaultsGrantGroupPermissions", {
            "vault_id": vault_id,
            "group_permissions_list": [_dict(g) for g in group_permissions_list]})

    def update_group_permissions(self, group_permissions_list):
        self._core.invoke("VaultsUpdateGroupPermissions", {
            "group_permissions_list": [_dict(g) for g in group_permissions_list]})

    def revoke_group_permissions(self, vault_id, group_id):
        self._core.invoke("VaultsRevokeGroupPermissions", {"vault_id": vault_id,
                                                           "group_id": group_id})

    def grant_user_permissions(self, vault_id, user_permissions_list):
        self._core.invoke("VaultsGrantUserPermissions", {
            "vault_id": vault_id,
            "user_permissions_list": [_dict(u) for u in user_permissions_list]})

    def update_user_permissions(self, user_permissions_list):
        self._core.invoke("VaultsUpdateUserPermissions", {
            "user_permissions_list": [_dict(u) for u in user_permissions_list]})

    def revoke_user_permissions(self, vault_id, user_id):
        self._core.invoke("VaultsRevokeUserPermissions", {"vault_id": vault_id,
                                                          "user_id": user_id})


class GroupsSync:
    def __init__(self, core):
        self._core = core

    def get(self, group_id):
        return Group.from_dict(self._core.invoke("GroupsGet", {"group_id": group_id}))

    def list(self):
        return [Group.from_dict(g) for g in self._core.invoke("GroupsList", {})]


class UsersSync:
    def __init__(self, core):
        self._core = core

    def get(self, user_id):
        return User.from_dict(self._core.invoke("UsersGet", {"user_id": user_id}))

    def list(self):
        return [User.from_dict(u) for u in self._core.invoke("UsersList", {})]


class SyncClient:
    """A blocking client. `auth`: a service-account token, or SessionAuth(key)."""

    def __init__(self, auth=None, integration_name=DEFAULT_INTEGRATION_NAME,
                 integration_version=DEFAULT_INTEGRATION_VERSION, **options):
        self._core = _Core(auth, integration_name, integration_version, **options)
        self.secrets = SecretsSync(self._core)
        self.items = ItemsSync(self._core)
        self.vaults = VaultsSync(self._core)
        self.groups = GroupsSync(self._core)
        self.users = UsersSync(self._core)
        self.events = EventsSync(self._core)

    def rate_limit_usage(self, principal_id=None):
        """This token's (or, for admins, another principal's) rate-limit rows."""
        p = {"principal_id": principal_id} if principal_id else {}
        return [RateLimitUsage.from_dict(r) for r in self._core.invoke("RateLimitUsage", p)]

    def invoke(self, operation, params=None):
        """Any operation by name (docs/sdk.md), JSON in and out."""
        return self._core.invoke(operation, params)

    def close(self):
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _AsyncNamespace:
    """Every method of a sync namespace as a coroutine run on the client's threads."""

    def __init__(self, sync_ns, executor):
        self._ns = sync_ns
        self._executor = executor

    def __getattr__(self, name):
        fn = getattr(self._ns, name)
        if not callable(fn):
            return fn

        @functools.wraps(fn)
        async def call(*args, **kwargs):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor,
                                              functools.partial(fn, *args, **kwargs))
        return call


class Client:
    """The asyncio client, named as 1Password's Python SDK:

        client = await Client.authenticate(auth=token, integration_name="app",
                                           integration_version="1.0")
        value = await client.secrets.resolve("op://vault/item/field")
    """

    def __init__(self, sync_client, workers):
        self._sync = sync_client
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="sesame")
        self.secrets = _AsyncNamespace(sync_client.secrets, self._executor)
        self.items = _AsyncNamespace(sync_client.items, self._executor)
        self.vaults = _AsyncNamespace(sync_client.vaults, self._executor)
        self.groups = _AsyncNamespace(sync_client.groups, self._executor)
        self.users = _AsyncNamespace(sync_client.users, self._executor)
        self.events = _AsyncNamespace(sync_client.events, self._executor)
        self.items.files = _AsyncNamespace(sync_client.items.files, self._executor)

    @classmethod
    async def authenticate(cls, auth=None, integration_name=DEFAULT_INTEGRATION_NAME,
                           integration_version=DEFAULT_INTEGRATION_VERSION, workers=16,
                           **options):
        options.setdefault("max_connections", min(max(workers, 1), 64))
        loop = asyncio.get_running_loop()
        sync = await loop.run_in_executor(None, functools.partial(
            SyncClient, auth, integration_name, integration_version, **options))
        return cls(sync, workers)

    async def rate_limit_usage(self, principal_id=None):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._sync.rate_limit_usage,
                                          principal_id)

    async def invoke(self, operation, params=None):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._sync.invoke, operation,
                                          params)

    def close(self):
        self._executor.shutdown(wait=True)
        self._sync.close()
