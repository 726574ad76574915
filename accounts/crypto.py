"""Encryption at rest of TOTP seeds (CJIS IA-5(1)(d)).

Seeds are sealed with AES-256-GCM under a key ring read from ``FLOCKGOV_TOTP_KEYS``
(or the file named by ``FLOCKGOV_TOTP_KEYS_FILE``): comma-separated ``id:key`` pairs,
each key 32 bytes in URL-safe base64; the first pair is the current key, the others
only decrypt. Rotation: put a new pair first, run ``manage.py rotate_totp_key`` (it
re-seals every seed under the current key), then drop the old pair.

Development and tests without a ring derive one key from ``SECRET_KEY``; elsewhere a
missing ring is a configuration error (see settings).
"""

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
# The key id is authenticated with the ciphertext, so a sealed seed cannot be
# moved to another key's slot unnoticed.
_AAD_PREFIX = b"flockgov-totp:"


class SeedUnreadable(Exception):
    """The seed was sealed with a key no longer (or never) in the ring."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]


def new_key() -> str:
    """A fresh key in the ring's text form (for the operator's secret file)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_ring(text: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id.strip():
            raise ImproperlyConfigured("FLOCKGOV_TOTP_KEYS: each entry is id:key")
        try:
            raw = base64.urlsafe_b64decode(encoded.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FLOCKGOV_TOTP_KEYS: key {key_id!r} is not base64"
            ) from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"FLOCKGOV_TOTP_KEYS: key {key_id!r} must be 32 bytes (AES-256)"
            )
        keys[key_id.strip()] = raw
        order.append(key_id.strip())
    if not order:
        raise ImproperlyConfigured("FLOCKGOV_TOTP_KEYS holds no key")
    return KeyRing(current_id=order[0], keys=keys)


def key_ring() -> KeyRing:
    text = settings.FLOCKGOV_TOTP_KEYS
    if text:
        return parse_ring(text)
    if not (settings.DEBUG or settings.TESTING):
        raise ImproperlyConfigured(
            "FLOCKGOV_TOTP_KEYS (or FLOCKGOV_TOTP_KEYS_FILE) must be set outside "
            "development and tests."
        )
    derived = hashlib.sha256(b"flockgov-totp-dev:" + settings.SECRET_KEY.encode())
    return KeyRing(current_id="dev", keys={"dev": derived.digest()})


def seal(seed: bytes, *, ring: KeyRing | None = None) -> tuple[str, str]:
    """Returns (key id, sealed text) for ``seed``."""
    ring = ring or key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current_id]).encrypt(
        nonce, seed, _AAD_PREFIX + ring.current_id.encode()
    )
    return ring.current_id, base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key_id: str, sealed_text: str, *, ring: KeyRing | None = None) -> bytes:
    ring = ring or key_ring()
    key = ring.keys.get(key_id)
    if key is None:
        raise SeedUnreadable(f"key {key_id!r} is not in the key ring")
    blob = base64.b64decode(sealed_text)
    try:
        return AESGCM(key).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], _AAD_PREFIX + key_id.encode()
        )
    except Exception as exc:
        raise SeedUnreadable(f"seed sealed with {key_id!r} does not open") from exc
