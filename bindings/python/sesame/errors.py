# SPDX-License-Identifier: Apache-2.0
"""Typed exceptions: one per libsesame error code (include/sesame/errors.h).

`kind` is the snake_case error name the library reports (e.g.
"vault_not_found", "rate_limited"); `code` the negative C code.
"""

ERROR, ENOMEM, EINVAL, ENOTFOUND, EAMBIGUOUS, EAUTH, EPERM, ECONFLICT = range(-1, -9, -1)
ERATELIMIT, ETOKEN_EXPIRED, ETOKEN_REVOKED, ENETWORK, EDECRYPT = range(-9, -14, -1)
ETOOBIG, EIO, EEXISTS, EUNSUPPORTED, ESERVER, EBUFSIZE = range(-14, -20, -1)


class SesameError(Exception):
    """Every error of the SDK."""

    def __init__(self, message, code=ERROR, kind="error"):
        super().__init__(message)
        self.message = message
        self.code = code
        self.kind = kind

    def __repr__(self):
        return f"{type(self).__name__}({self.message!r}, kind={self.kind!r})"


class LibraryNotFoundError(SesameError, ImportError):
    pass


class InvalidArgumentError(SesameError, ValueError):
    pass


class NotFoundError(SesameError, LookupError):
    pass


class AmbiguousError(SesameError):
    pass


class AuthenticationError(SesameError):
    pass


class PermissionDeniedError(SesameError):
    pass


class ConflictError(SesameError):
    pass


class RateLimitExceededError(SesameError):
    """Over a rate limit; `retry_after` is the server's Retry-After in seconds (0: none)."""

    def __init__(self, message, code=ERATELIMIT, kind="rate_limited", retry_after=0):
        super().__init__(message, code, kind)
        self.retry_after = retry_after


# 1Password's Python SDK spells it this way.
RateLimitExceededException = RateLimitExceededError


class TokenExpiredError(AuthenticationError):
    pass


class TokenRevokedError(AuthenticationError):
    pass


class NetworkError(SesameError, ConnectionError):
    pass


class DecryptionError(SesameError):
    pass


class TooBigError(SesameError):
    pass


class UnsupportedError(SesameError):
    pass


class ServerError(SesameError):
    pass


_BY_CODE = {
    EINVAL: InvalidArgumentError, ENOTFOUND: NotFoundError, EAMBIGUOUS: AmbiguousError,
    EAUTH: AuthenticationError, EPERM: PermissionDeniedError, ECONFLICT: ConflictError,
    ETOKEN_EXPIRED: TokenExpiredError, ETOKEN_REVOKED: TokenRevokedError,
    ENETWORK: NetworkError, EDECRYPT: DecryptionError, ETOOBIG: TooBigError,
    EUNSUPPORTED: UnsupportedError, ESERVER: ServerError,
}


def from_code(code, kind, message, retry_after=0):
    if code == ERATELIMIT:
        return RateLimitExceededError(message, code, kind, retry_after)
    return _BY_CODE.get(code, SesameError)(message, code, kind)
