"""Benchmark peer for Registrar: a stock fastapi-users service on PostgreSQL.

Same argon2id parameters as Registrar's defaults (m=19456 KiB, t=2, p=1) and
database-backed opaque access tokens (fastapi-users' DatabaseStrategy), so
`GET /users/me` looks the bearer token up in PostgreSQL as Registrar's
`GET /api/me` does.

    PEER_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/peer_bench
    python app.py --init-db            # create the tables (once, before serving)
    uvicorn app:app --workers 2 ...    # serve (see run.sh)

Routes:
    GET   /healthz          200 "ok", no database
    POST  /auth/register    JSON {"email","password"} -> 201 user
    POST  /auth/db/login    form username=&password= -> 200 {"access_token","token_type"}
    POST  /auth/db/logout   Bearer -> 204
    GET   /users/me         Bearer -> 200 user
    PATCH /users/me         Bearer, JSON {"password": ...} -> 200 user
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncGenerator

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport
from fastapi_users.authentication.strategy.db import (
    AccessTokenDatabase,
    DatabaseStrategy,
)
from fastapi_users.password import PasswordHelper
from fastapi_users_db_sqlalchemy import (
    SQLAlchemyBaseUserTableUUID,
    SQLAlchemyUserDatabase,
)
from fastapi_users_db_sqlalchemy.access_token import (
    SQLAlchemyAccessTokenDatabase,
    SQLAlchemyBaseAccessTokenTableUUID,
)
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

# --- configuration -----------------------------------------------------------

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/peer_bench"


def database_url() -> str:
    url = os.environ.get("PEER_DATABASE_URL") or DEFAULT_DATABASE_URL
    # Accept the plain libpq spellings too, so one URL can serve both sides.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


# Per-worker pool; uvicorn runs one process per worker.
POOL_SIZE = int(os.environ.get("PEER_DB_POOL_SIZE", "10"))
# Registrar's access tokens live one hour (expires_in 3600).
TOKEN_LIFETIME_SECONDS = 3600
# Registrar's argon2id defaults: m=19456 KiB, t=2, p=1.
ARGON2_MEMORY_KIB = 19456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
SECRET = os.environ.get("PEER_SECRET", "peer-bench-secret-not-used-for-tokens")

engine = create_async_engine(
    database_url(),
    pool_size=POOL_SIZE,
    max_overflow=0,
    pool_pre_ping=False,
)
session_maker = async_sessionmaker(engine, expire_on_commit=False)

password_helper = PasswordHelper(
    PasswordHash(
        (
            Argon2Hasher(
                memory_cost=ARGON2_MEMORY_KIB,
                time_cost=ARGON2_TIME_COST,
                parallelism=ARGON2_PARALLELISM,
            ),
        )
    )
)

# --- models ------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


class UserUpdate(schemas.BaseUserUpdate):
    pass


# --- dependencies --------------------------------------------------------------


async def get_async_session() -> AsyncGenerator[AsyncSession, None]:
    async with session_maker() as session:
        yield session


async def get_user_db(session: AsyncSession = Depends(get_async_session)):
    yield SQLAlchemyUserDatabase(session, User)


async def get_access_token_db(session: AsyncSession = Depends(get_async_session)):
    yield SQLAlchemyAccessTokenDatabase(session, AccessToken)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(user_db=Depends(get_user_db)):
    yield UserManager(user_db, password_helper)


def get_database_strategy(
    access_token_db: AccessTokenDatabase[AccessToken] = Depends(get_access_token_db),
) -> DatabaseStrategy:
    return DatabaseStrategy(access_token_db, lifetime_seconds=TOKEN_LIFETIME_SECONDS)


auth_backend = AuthenticationBackend(
    name="db",
    transport=BearerTransport(tokenUrl="auth/db/login"),
    get_strategy=get_database_strategy,
)

fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])

# --- application ---------------------------------------------------------------

app = FastAPI(title="registrar-bench-peer", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth/db", tags=["auth"])
app.include_router(fastapi_users.get_register_router(UserRead, UserCreate), prefix="/auth", tags=["auth"])
app.include_router(fastapi_users.get_users_router(UserRead, UserUpdate), prefix="/users", tags=["users"])


# --- one-off database setup (run once, before uvicorn starts its workers) ------


async def init_db() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await engine.dispose()


def main(argv: list[str]) -> int:
    if argv == ["--init-db"]:
        asyncio.run(init_db())
        sample = password_helper.hash("peer-sanity-check")
        print(f"peer: tables ready at {engine.url.render_as_string(hide_password=True)}")
        print(f"peer: password hashes start {sample.rsplit('$', 2)[0]}$")
        return 0
    if argv == ["--hash-prefix"]:
        sample = password_helper.hash("peer-sanity-check")
        print(sample.rsplit("$", 2)[0])
        return 0
    print("usage: python app.py --init-db | --hash-prefix", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
