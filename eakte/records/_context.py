"""The records context: settings, database, object store, keys and audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from eakte.config import Settings
from eakte.db import READ_ONLY_OPTION, create_db_engine, make_sessionmaker
from eakte.exceptions import DatabaseError
from eakte.models import SigningKey
from eakte.signing import AuditLog, KeyRing, open_keyring
from eakte.storage import ObjectKind, ObjectStore, open_store

APPEND_ONLY = "is append-only"  # the message of the schema's guards (migration 0002)


class Records:
    """Everything a records service needs; one per process (or per test)."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        store: ObjectStore | None = None,
        keyring: KeyRing | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or create_db_engine(settings.resolved_database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.read_sessions = make_sessionmaker(
            self.engine.execution_options(**{READ_ONLY_OPTION: True})
        )
        self._store = store
        self._keyring = keyring
        self._registered_keys: set[str] = set()
        self.audit = AuditLog(self.keyring, lambda: self.store, settings.audit_checkpoint_every)

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def keyring(self) -> KeyRing:
        if self._keyring is None:
            self._keyring = open_keyring(self.settings)
        return self._keyring

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        try:
            with self.sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise DatabaseError(
                f"Database error ({exc.orig}). Check EAKTE_DATABASE_URL and run `eakte db upgrade`."
            ) from exc
        except DBAPIError as exc:
            if APPEND_ONLY not in str(exc.orig):
                raise
            reason = str(exc.orig).splitlines()[0]
            raise DatabaseError(f"The database refused the change ({reason}).") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: never takes a write lock, never commits."""
        try:
            with self.read_sessions() as session:  # closing rolls back
                yield session
        except OperationalError as exc:
            raise DatabaseError(
                f"Database error ({exc.orig}). Check EAKTE_DATABASE_URL and run `eakte db upgrade`."
            ) from exc

    def register_keys(self, session: Session) -> None:
        """Make every known public key (and retirement) visible in the database and store."""
        for info in self.keyring().list():
            row = session.get(SigningKey, info.key_id)
            if row is None:
                session.add(
                    SigningKey(
                        key_id=info.key_id,
                        public_pem=info.public_pem,
                        created_at=info.created_at,
                        retired_at=info.retired_at,
                    )
                )
                self.store.put(ObjectKind.PUBLIC_KEY, info.public_pem.encode())
            elif row.retired_at is None and info.retired_at is not None:
                row.retired_at = info.retired_at
            self._registered_keys.add(info.key_id)
        session.flush()

    def ensure_active_key_registered(self, session: Session) -> None:
        if self.keyring().active().key_id not in self._registered_keys:
            self.register_keys(session)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        self.engine.dispose()
