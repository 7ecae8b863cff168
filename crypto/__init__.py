"""OpenPGP for the portal: one key pair per case, streaming encryption, a cache of keys.

Documents are encrypted with gpg (through python-gnupg) before they are stored. Each case
has its own Curve25519 key; its secret key is kept in the database, protected by a secret
derived from the master key; a local GnuPG home only caches keys. This package imports
nothing from ``portal``.

    master = MasterKey.load(Path("/run/secrets/master-key"))
    keys = CaseKeys(GnuPGHome(Path("/var/lib/portal/gnupg")))
    material = keys.generate_case_key(case_id, secret=master.secret_for_case(case_id))
    keys.encrypt_for_case([material], plaintext_file, ciphertext_file.write)
    keys.decrypt_for_case(material, master.secret_for_case(case_id), ciphertext, sink)
    signer = SigningKeys(home)  # the portal's own key, for audit-log checkpoints
    signature = signer.sign_detached(signing_material, master.secret_for("audit-signing-key"), text)
    with open_ciphertext_for_case(keys, [material], upload) as ciphertext:
        object_store.put(object_key, ciphertext)  # read() raises if encryption failed
    sealed = seal_record(data_key, upload_id=upload_id, offset=0, plaintext=part)  # staging
    box = SecretBox(master.key_for("credential-secrets"))  # small secrets read back (TOTP)
    sealed = box.seal(seed, bound_to=user_id)
    text = seal_field(field_key, owner=case_id, name="reason", text=reason)  # audit fields

Errors (gpg status lines are translated here; messages never hold plaintext or secrets):

    CryptoError
    ├── GnuPGUnavailable      gpg missing, too old, or the home unusable (path too long, ...)
    ├── InvalidMasterKey      wrong length, not hex, or a key file others may read
    ├── KeyGenerationFailed   gpg created or exported no key
    ├── KeyNotAvailable       key material missing, inconsistent, or not deletable
    ├── EncryptionFailed      gpg did not finish, or the plaintext source failed
    │   └── EncryptionInterrupted  gpg stopped by a signal (killed): may work again
    ├── SigningFailed         gpg made no signature with the portal's signing key
    ├── DecryptionFailed      wrong/empty secret, not our key, integrity (MDC) failure,
    │                         a sealed upload record that does not open (sealed_records),
    │                         a sealed field or field key that does not open (sealed_fields)
    └── SecretUnreadable      a SecretBox value changed, foreign, or sealed with another key

Invalid arguments (a malformed case id or fingerprint) raise ``ValueError``; an exception
raised by a caller's sink propagates unchanged.
"""

from crypto.case_keys import CaseKeyMaterial, CaseKeys, PublicKey, Recipient, Sink, Source
from crypto.ciphertext_reader import open_ciphertext_for_case, open_plaintext_for_case
from crypto.errors import (
    CryptoError,
    DecryptionFailed,
    EncryptionFailed,
    EncryptionInterrupted,
    GnuPGUnavailable,
    InvalidMasterKey,
    KeyGenerationFailed,
    KeyNotAvailable,
    SecretUnreadable,
    SigningFailed,
)
from crypto.gnupg_home import MAX_HOME_PATH_LENGTH, GnuPGHome
from crypto.master_key import MASTER_KEY_LENGTH, MasterKey
from crypto.sealed_fields import (
    FIELD_KEY_LENGTH,
    SEALED_PREFIX,
    blind_index,
    new_field_key,
    open_field,
    seal_field,
    sealed_owner,
    unwrap_field_key,
    wrap_field_key,
)
from crypto.sealed_records import (
    RECORD_OVERHEAD,
    new_data_key,
    open_record,
    seal_record,
    unwrap_data_key,
    wrap_data_key,
)
from crypto.secret_box import SecretBox
from crypto.signing import SigningKeyMaterial, SigningKeys

__all__ = [
    "FIELD_KEY_LENGTH",
    "MASTER_KEY_LENGTH",
    "MAX_HOME_PATH_LENGTH",
    "RECORD_OVERHEAD",
    "SEALED_PREFIX",
    "CaseKeyMaterial",
    "CaseKeys",
    "CryptoError",
    "DecryptionFailed",
    "EncryptionFailed",
    "EncryptionInterrupted",
    "GnuPGHome",
    "GnuPGUnavailable",
    "InvalidMasterKey",
    "KeyGenerationFailed",
    "KeyNotAvailable",
    "MasterKey",
    "PublicKey",
    "Recipient",
    "SecretBox",
    "SecretUnreadable",
    "SigningFailed",
    "SigningKeyMaterial",
    "SigningKeys",
    "Sink",
    "Source",
    "blind_index",
    "new_data_key",
    "new_field_key",
    "open_ciphertext_for_case",
    "open_field",
    "open_plaintext_for_case",
    "open_record",
    "seal_field",
    "seal_record",
    "sealed_owner",
    "unwrap_data_key",
    "unwrap_field_key",
    "wrap_data_key",
    "wrap_field_key",
]
