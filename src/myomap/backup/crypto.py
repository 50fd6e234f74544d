"""An encrypted archive: the backup's bytes sealed with AES-256-GCM under a key derived
from a passphrase with scrypt (a random salt each time).

The file is one header line, then the ciphertext (the GCM tag at its end):

    MYOMAP-ENCRYPTED-BACKUP {"cipher": "AES-256-GCM", "kdf": "scrypt", "n": ..., ...}\\n

The header holds the scrypt parameters, the salt and the nonce, and is the cipher's
associated data: a changed header, a changed byte of the ciphertext or a wrong passphrase
all fail the tag check, and the archive is refused without anything being read from it."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from myomap.backup import MIN_PASSPHRASE, BackupError

MAGIC = b"MYOMAP-ENCRYPTED-BACKUP "
VERSION = 1
# scrypt's cost: 2**17 x 8 x 1 takes 128 MiB and about a third of a second per derivation
# (the parameters recommended for interactive use); stored in each file's header.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
MAX_N = 2**20  # a header asking for more memory than this is not ours


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters")
    return passphrase


def seal(data: bytes, passphrase: str) -> bytes:
    """`data` encrypted under `passphrase`, with the header that says how."""
    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    header: dict[str, Any] = {
        "format_version": VERSION,
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": _b64(salt),
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
    }
    line = MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"
    key = _key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return line + AESGCM(key).encrypt(nonce, data, line)


def unseal(data: bytes, passphrase: str | None, name: str) -> bytes:
    """The archive inside a sealed file, or a BackupError: no passphrase given, a header
    that is not ours, a wrong passphrase or a changed file."""
    if passphrase is None:
        raise BackupError(
            f"{name} is encrypted: give its passphrase with --passphrase-file FILE "
            "or MYOMAP_BACKUP_PASSPHRASE"
        )
    end = data.find(b"\n")
    line = data[: end + 1]
    try:
        header = json.loads(line[len(MAGIC) :])
        n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        ours = (
            end > 0
            and header.get("format_version") == VERSION
            and header.get("kdf") == "scrypt"
            and header.get("cipher") == "AES-256-GCM"
            and 2 <= n <= MAX_N
            and 1 <= r <= 32
            and 1 <= p <= 16
            and len(nonce) == 12
        )
    except (ValueError, KeyError, TypeError):
        ours = False
    if not ours:
        raise BackupError(f"{name} is not a Myomap backup (its encryption header is unreadable)")
    try:
        return AESGCM(_key(passphrase, salt, n, r, p)).decrypt(nonce, data[end + 1 :], line)
    except (InvalidTag, ValueError):
        raise BackupError(
            f"{name}: the passphrase is wrong, or the file was changed since it was made "
            "(it fails its authentication check); nothing was read from it"
        ) from None
