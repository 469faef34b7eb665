# SPDX-License-Identifier: Apache-2.0
"""The SDK's types as dataclasses (1Password's names, snake_case fields).

Each has from_dict() (the core's camelCase JSON) and to_dict().
"""
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

_CAMEL = re.compile(r"_([a-z])")
_SNAKE = re.compile(r"([A-Z])")


def _camel(name):
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def _snake(name):
    return _SNAKE.sub(lambda m: "_" + m.group(1).lower(), name)


class _Json:
    _nested: Dict[str, Any] = {}

    @classmethod
    def from_dict(cls, d):
        if d is None:
            return None
        kw = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for k, v in d.items():
            n = _snake(k)
            if n not in names:
                continue
            sub = cls._nested.get(n)
            if sub is not None and isinstance(v, list):
                v = [sub.from_dict(x) for x in v]
            elif sub is not None and isinstance(v, dict):
                v = sub.from_dict(v)
            kw[n] = v
        return cls(**kw)

    def to_dict(self):
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v is None:
                continue
            if isinstance(v, list):
                v = [x.to_dict() if isinstance(x, _Json) else x for x in v]
            elif isinstance(v, _Json):
                v = v.to_dict()
            out[_camel(f.name)] = v
        return out


class ItemCategory:
    LOGIN = "Login"
    SECURE_NOTE = "SecureNote"
    PASSWORD = "Password"
    API_CREDENTIALS = "ApiCredentials"
    DATABASE = "Database"
    SERVER = "Server"
    SSH_KEY = "SshKey"
    DOCUMENT = "Document"


class ItemFieldType:
    TEXT = "Text"
    CONCEALED = "Concealed"
    EMAIL = "Email"
    URL = "Url"
    TOTP = "Totp"
    PHONE = "Phone"
    DATE = "Date"
    MONTH_YEAR = "MonthYear"
    SSH_KEY = "SshKey"


@dataclass
class ItemField(_Json):
    id: str
    title: str
    field_type: str = ItemFieldType.TEXT
    value: str = ""
    section_id: Optional[str] = None
    purpose: Optional[str] = None
    details: Optional[dict] = None


@dataclass
class ItemSection(_Json):
    id: str
    title: str


@dataclass
class Website(_Json):
    url: str
    label: str = ""
    autofill_behavior: str = "AnywhereOnWebsite"


@dataclass
class FileAttributes(_Json):
    name: str
    id: str
    size: int


@dataclass
class ItemFile(_Json):
    attributes: FileAttributes
    section_id: Optional[str] = None
    field_id: Optional[str] = None
    _nested = {"attributes": FileAttributes}


@dataclass
class FileCreateParams:
    """A file to attach (1Password's FileCreateParams); content is bytes."""
    name: str
    content: bytes
    section_id: Optional[str] = None
    field_id: Optional[str] = None

    def to_dict(self):
        import base64
        d = {"name": self.name, "content": base64.b64encode(bytes(self.content)).decode()}
        if self.section_id is not None:
            d["sectionId"] = self.section_id
        if self.field_id is not None:
            d["fieldId"] = self.field_id
        return d


@dataclass
class DocumentCreateParams:
    """A Document's new content (1Password's DocumentCreateParams)."""
    name: str
    content: bytes

    def to_dict(self):
        import base64
        return {"name": self.name, "content": base64.b64encode(bytes(self.content)).decode()}


@dataclass
class RateLimitUsage(_Json):
    """One row of `op service-account ratelimit`."""
    type: str
    action: str
    limit: int
    used: int
    remaining: int
    reset: int


@dataclass
class Event(_Json):
    """An audit event (GET /v1/events)."""
    id: str
    seq: Optional[int] = None
    time: Optional[str] = None
    actor_id: Optional[str] = None
    actor_type: Optional[str] = None
    action: Optional[str] = None
    vault_id: Optional[str] = None
    item_id: Optional[str] = None
    status: Optional[int] = None
    client_ip: Optional[str] = None
    integration_name: Optional[str] = None
    integration_version: Optional[str] = None
    prev_hash: Optional[str] = None
    hash: Optional[str] = None


@dataclass
class EventsPage:
    events: List[Event]
    cursor: str
    has_more: bool


@dataclass
class Item(_Json):
    id: str
    title: str
    category: str
    vault_id: str
    fields: List[ItemField] = field(default_factory=list)
    sections: List[ItemSection] = field(default_factory=list)
    notes: str = ""
    tags: List[str] = field(default_factory=list)
    websites: List[Website] = field(default_factory=list)
    version: int = 0
    files: List[ItemFile] = field(default_factory=list)
    document: Optional[FileAttributes] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    state: Optional[str] = None
    _nested = {"fields": ItemField, "sections": ItemSection, "websites": Website,
               "files": ItemFile, "document": FileAttributes}


@dataclass
class ItemCreateParams(_Json):
    title: str
    category: str
    vault_id: str
    fields: List[ItemField] = field(default_factory=list)
    sections: List[ItemSection] = field(default_factory=list)
    notes: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    websites: List[Website] = field(default_factory=list)
    _nested = {"fields": ItemField, "sections": ItemSection, "websites": Website}


@dataclass
class ItemOverview(_Json):
    id: str
    title: str
    category: str
    vault_id: str
    websites: List[Website] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    state: str = "active"
    _nested = {"websites": Website}


@dataclass
class VaultAccess(_Json):
    vault_uuid: str
    accessor_type: str
    accessor_uuid: str
    permissions: int


@dataclass
class VaultOverview(_Json):
    id: str
    title: str
    description: str = ""
    vault_type: str = "userCreated"
    active_item_count: int = 0
    content_version: int = 0
    attribute_version: int = 0
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


@dataclass
class Vault(VaultOverview):
    access: Optional[List[VaultAccess]] = None
    _nested = {"access": VaultAccess}


@dataclass
class Group(_Json):
    id: str
    title: str
    description: str = ""
    group_type: str = "userDefined"
    state: str = "active"
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


@dataclass
class User(_Json):
    id: str
    email: str
    name: str = ""
    state: str = "active"
    user_type: str = "member"
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


@dataclass
class ResolvedReference(_Json):
    secret: str
    item_id: str
    vault_id: str


@dataclass
class ResolveReferenceError(_Json):
    type: str
    message: str = ""
    kind: str = ""


@dataclass
class Response:
    """One result of a batch call: `content` or `error`."""
    content: Any = None
    error: Any = None


@dataclass
class ResolveAllResponse:
    individual_responses: Dict[str, Response]


@dataclass
class ItemsGetAllResponse:
    individual_responses: List[Response]


@dataclass
class ItemsDeleteAllResponse:
    individual_responses: Dict[str, Response]


@dataclass
class GroupAccess(_Json):
    group_id: str
    permissions: int


@dataclass
class UserAccess(_Json):
    user_id: str
    permissions: int


class ItemListFilter:
    """Filters for items.list(): by state (1Password's), and by exact title or tag."""

    @staticmethod
    def by_state(active=True, archived=False):
        return {"type": "ByState", "content": {"active": active, "archived": archived}}

    @staticmethod
    def by_title(title):
        return {"type": "ByTitle", "content": title}

    @staticmethod
    def by_tag(tag):
        return {"type": "ByTag", "content": tag}


class VaultPermissions:
    """1Password's permission bits (docs/api.md)."""
    MANAGE_VAULT = 2
    VIEW_AND_COPY_PASSWORDS = 16
    VIEW_ITEMS = 32
    EDIT_ITEMS = 64
    CREATE_ITEMS = 128
    ARCHIVE_ITEMS = 256
    DELETE_ITEMS = 512
    VIEW_ITEM_HISTORY = 1024
    COPY_AND_SHARE_ITEMS = 1048576
    IMPORT_ITEMS = 2097152
    EXPORT_ITEMS = 4194304
    PRINT_ITEMS = 8388608
    READ = VIEW_ITEMS | VIEW_AND_COPY_PASSWORDS
