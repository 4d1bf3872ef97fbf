"""The seed's stack for `pnpm bench`: task.list as the FastAPI Todo app this project comes from
would write it, idiomatically: SQLAlchemy ORM models on the same tables, an async session over
asyncpg, PyJWT for the token, and a pydantic response model. It returns exactly what the raw
baseline and Taskwire return (the benchmark checks). Runs on Debian's packages (python3-fastapi
python3-uvicorn python3-sqlalchemy python3-asyncpg python3-jwt) under /usr/bin/python3; the
benchmark installs them when missing."""

import base64
import json
import os
import re
from typing import Any, List, Optional

import jwt
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import Boolean, Column, DateTime, Integer, String, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

SECRET = os.environ["JWT_SECRET"]
ISSUER = os.environ.get("JWT_ISSUER", "taskwire")
AUDIENCE = os.environ.get("JWT_AUDIENCE", "taskwire-api")
URL = os.environ["DATABASE_URL"].replace("postgres://", "postgresql+asyncpg://", 1)
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
PRIORITIES = ["none", "low", "medium", "high"]

Base = declarative_base()


class Task(Base):
    __tablename__ = "tasks"
    project_id = Column(UUID(as_uuid=False), primary_key=True)
    id = Column(UUID(as_uuid=False), primary_key=True)
    assignee_id = Column(UUID(as_uuid=False))
    created_by = Column(UUID(as_uuid=False))
    title = Column(String, nullable=False)
    description = Column(String)
    completed = Column(Boolean, nullable=False)
    completed_at = Column(DateTime(timezone=True))
    priority = Column(Integer, nullable=False)
    tag_ids = Column(ARRAY(UUID(as_uuid=False)), nullable=False)
    due_at = Column(DateTime(timezone=True))
    remind_at = Column(DateTime(timezone=True))
    recurrence = Column(JSONB)
    deleted_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    version = Column(Integer, nullable=False)


class Member(Base):
    __tablename__ = "project_members"
    project_id = Column(UUID(as_uuid=False), primary_key=True)
    user_id = Column(UUID(as_uuid=False), primary_key=True)


class Tag(Base):
    __tablename__ = "tags"
    project_id = Column(UUID(as_uuid=False), primary_key=True)
    id = Column(UUID(as_uuid=False), primary_key=True)
    name = Column(String, nullable=False)


class TaskOut(BaseModel):
    id: str
    projectId: str
    assigneeId: str | None
    createdBy: str | None
    title: str
    description: Optional[str]
    completed: bool
    completedAt: Optional[str]
    priority: str
    tags: List[str]
    dueAt: Optional[str]
    remindAt: Optional[str]
    recurrence: Optional[Any]
    deletedAt: Optional[str]
    createdAt: str
    updatedAt: str
    version: int


class TaskPage(BaseModel):
    items: List[TaskOut]
    nextCursor: Optional[str]


class Result(BaseModel):
    data: TaskPage


class Envelope(BaseModel):
    result: Result


engine = create_async_engine(URL, pool_size=10, max_overflow=0)
Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
app = FastAPI()


def iso(value):
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def current_user(authorization: str) -> str:
    match = re.match(r"^Bearer +(\S+)$", authorization, re.I)
    try:
        claims = jwt.decode(
            match.group(1) if match else "",
            SECRET,
            algorithms=["HS256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "typ"]},
        )
    except jwt.InvalidTokenError:
        raise HTTPException(status_code=401, detail="Sign in required")
    if claims.get("typ") != "access" or not UUID_TEXT.match(str(claims.get("sub"))):
        raise HTTPException(status_code=401, detail="Sign in required")
    return claims["sub"]


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.get("/tasks", response_model=Envelope)
async def list_tasks(authorization: str = Header(default="")):
    user_id = current_user(authorization)
    async with Session() as session:
        projects = select(Member.project_id).where(Member.user_id == user_id)
        query = (
            select(Task)
            .where(Task.project_id.in_(projects), Task.deleted_at.is_(None))
            .order_by(Task.created_at.desc(), Task.id.desc())
            .limit(21)
        )
        tasks = (await session.execute(query)).scalars().all()
        names = dict((await session.execute(select(Tag.id, Tag.name).where(Tag.project_id.in_(projects)))).all())
    page = tasks[:20]
    next_cursor = None
    if len(tasks) > 20 and page:
        raw = json.dumps(["createdAt", "desc", iso(page[-1].created_at), page[-1].id], separators=(",", ":"))
        next_cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    items = [
        TaskOut(
            id=t.id,
            projectId=t.project_id,
            assigneeId=t.assignee_id,
            createdBy=t.created_by,
            title=t.title,
            description=t.description,
            completed=t.completed,
            completedAt=iso(t.completed_at),
            priority=PRIORITIES[t.priority] if 0 <= t.priority < 4 else "none",
            tags=sorted((names[i] for i in t.tag_ids if i in names), key=lambda n: (n.lower(), n)),
            dueAt=iso(t.due_at),
            remindAt=iso(t.remind_at),
            recurrence=t.recurrence,
            deletedAt=iso(t.deleted_at),
            createdAt=iso(t.created_at),
            updatedAt=iso(t.updated_at),
            version=t.version,
        )
        for t in page
    ]
    return Envelope(result=Result(data=TaskPage(items=items, nextCursor=next_cursor)))
