"""one moderation flow: typed findings, one review item per subject, pending edits

Posts and private messages keep what moderation found as one typed value (`findings`: crisis
language, identifying details per field, the model's scores) beside the `decision`, whose
reasons now name their kind of review. Review items and audit entries name their subject by
type and id, so any moderated text can be reviewed; an item carries every reason in
`review_reasons`, and a subject has at most one open item (open items of one subject merge,
the others closing as "merged"). An author's edit of a published post waits in `pending_edits`
until moderation releases it.

Revision ID: 8ce92bffa96f
Revises: 7041a36eb605
Create Date: 2026-12-01 09:58:35.115321

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8ce92bffa96f"
down_revision = "7041a36eb605"
branch_labels = None
depends_on = None

MODERATED = ("posts", "conversation_messages")
SUBJECTS = (("post_id", "post"), ("message_id", "message"))
OPEN = "status = 'open'"
BATCH = 1000


def _reason_kind(text: str) -> str:
    if text.startswith(("crisis language", "a member is worried", "the other person in the")):
        return "crisis"
    if text.startswith("posted with identifying details"):
        return "identifying"
    if text.startswith("report"):
        return "report"
    return "auto_flag"


def _findings(row) -> dict | None:  # noqa: ANN001
    """The old loose columns as one findings value (identifying details say their field)."""
    if row.scores is None and row.crisis is None and not row.identifying_details:
        return None
    identifying = []
    for detail in row.identifying_details or []:
        in_body = row.body[detail["start"] : detail["end"]] == detail["text"]
        identifying.append({"field": "body" if in_body else "title", **detail})
    scores = None
    if row.scores is not None:
        scores = {
            "model": row.scored_by or "unknown",
            "labels": row.scores,
            "is_fallback": row.scoring == "fallback",
        }
    crisis = {"matches": (row.crisis or {}).get("matches", [])}
    return {"crisis": crisis, "identifying": identifying, "scores": scores}


def _decision(row) -> dict | None:  # noqa: ANN001
    if row.decision is None:
        return None
    return {
        "outcome": row.decision["outcome"],
        "reasons": [{"kind": _reason_kind(t), "text": t} for t in row.decision["reasons"]],
        "flagged_labels": row.decision.get("flagged_labels", []),
        "model": row.scored_by,
    }


def _convert_moderation_columns(connection: sa.Connection, table_name: str) -> None:
    table = sa.table(
        table_name,
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("scores", sa.JSON),
        sa.column("crisis", sa.JSON),
        sa.column("identifying_details", sa.JSON),
        sa.column("decision", sa.JSON),
        sa.column("findings", sa.JSON),
        sa.column("scored_by", sa.String),
        sa.column("scoring", sa.String),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        for row in rows:
            findings, decision = _findings(row), _decision(row)
            if findings is not None or decision is not None:
                connection.execute(
                    table.update()
                    .where(table.c.id == row.id)
                    .values(findings=findings, decision=decision)
                )


def _one_item_per_subject(connection: sa.Connection) -> None:
    """Name each item's subject, move its reasons to rows, and merge open items per subject."""
    items = sa.table(
        "review_items",
        sa.column("id", sa.Integer),
        sa.column("post_id", sa.Integer),
        sa.column("message_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("reasons", sa.JSON),
        sa.column("status", sa.String),
        sa.column("priority", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("resolution", sa.String),
        sa.column("resolved_at", sa.DateTime),
        sa.column("subject_type", sa.String),
        sa.column("subject_id", sa.Integer),
    )
    reasons = sa.table(
        "review_reasons",
        sa.column("item_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("text", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    for column, review_type in SUBJECTS:
        connection.execute(
            items.update()
            .where(items.c[column].is_not(None))
            .values(subject_type=review_type, subject_id=items.c[column])
        )
    open_by_subject: dict[tuple[str, int], int] = {}
    priorities: dict[int, int] = {}
    for item in connection.execute(sa.select(items).order_by(items.c.id)).all():
        keep = item.id
        if item.status == "open":
            keep = open_by_subject.setdefault((item.subject_type, item.subject_id), item.id)
            priorities[keep] = max(priorities.get(keep, 0), item.priority)
            if keep != item.id:
                connection.execute(
                    items.update()
                    .where(items.c.id == item.id)
                    .values(status="resolved", resolution="merged", resolved_at=item.created_at)
                )
        texts = list(dict.fromkeys(item.reasons or [])) or [item.kind.replace("_", " ")]
        connection.execute(
            reasons.insert(),
            [
                {
                    "item_id": keep,
                    "kind": item.kind,
                    "text": text[:500],
                    "created_at": item.created_at,
                }
                for text in texts
            ],
        )
    for item_id, priority in priorities.items():
        connection.execute(items.update().where(items.c.id == item_id).values(priority=priority))


def upgrade():
    op.create_table(
        "review_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["review_items.id"],
            name=op.f("fk_review_reasons_item_id_review_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reasons")),
    )
    with op.batch_alter_table("review_reasons", schema=None) as batch_op:
        batch_op.create_index("ix_review_reasons_kind", ["kind", "item_id"], unique=False)

    op.create_table(
        "pending_edits",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("content_warning", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_pending_edits_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_pending_edits")),
    )

    connection = op.get_bind()
    for table_name in MODERATED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("findings", sa.JSON(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "moderator_approved", sa.Boolean(), server_default=sa.false(), nullable=False
                )
            )
        _convert_moderation_columns(connection, table_name)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("scores")
            batch_op.drop_column("crisis")
            batch_op.drop_column("identifying_details")

    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.drop_index("uq_review_items_open_message_kind")
        batch_op.drop_index("uq_review_items_open_post_kind")
    _one_item_per_subject(connection)
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.alter_column("subject_type", existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_review_items_message_id"))
        batch_op.drop_index(batch_op.f("ix_review_items_post_id"))
        batch_op.create_index(
            "ix_review_items_subject", ["subject_type", "subject_id"], unique=False
        )
        batch_op.create_index(
            "uq_review_items_open_subject",
            ["subject_type", "subject_id"],
            unique=True,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch_op.drop_constraint("one_subject", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_review_items_message_id_conversation_messages"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_review_items_post_id_posts"), type_="foreignkey")
        batch_op.drop_column("post_id")
        batch_op.drop_column("kind")
        batch_op.drop_column("message_id")
        batch_op.drop_column("reasons")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    entries = sa.table(
        "audit_log",
        sa.column("post_id", sa.Integer),
        sa.column("message_id", sa.Integer),
        sa.column("subject_type", sa.String),
        sa.column("subject_id", sa.Integer),
    )
    for column, review_type in SUBJECTS:
        connection.execute(
            entries.update()
            .where(entries.c[column].is_not(None))
            .values(subject_type=review_type, subject_id=entries.c[column])
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_message_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_post_id"))
        batch_op.create_index("ix_audit_log_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.drop_constraint(
            batch_op.f("fk_audit_log_message_id_conversation_messages"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_audit_log_post_id_posts"), type_="foreignkey")
        batch_op.drop_column("post_id")
        batch_op.drop_column("message_id")


def downgrade():
    """Back to loose columns and one item per subject and kind (merged items stay merged)."""
    connection = op.get_bind()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
    for table_name in ("audit_log", "review_items"):
        if table_name == "review_items":
            with op.batch_alter_table(table_name, schema=None) as batch_op:
                batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
                batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
                batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
                batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        table = sa.table(
            table_name,
            sa.column("post_id", sa.Integer),
            sa.column("message_id", sa.Integer),
            sa.column("subject_type", sa.String),
            sa.column("subject_id", sa.Integer),
        )
        for column, review_type in SUBJECTS:
            connection.execute(
                table.update()
                .where(table.c.subject_type == review_type)
                .values({column: table.c.subject_id})
            )
    items = sa.table(
        "review_items",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("reasons", sa.JSON),
    )
    reasons = sa.table(
        "review_reasons",
        sa.column("item_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("text", sa.String),
        sa.column("id", sa.Integer),
    )
    collected: dict[int, list] = {}
    for row in connection.execute(sa.select(reasons).order_by(reasons.c.id)).all():
        collected.setdefault(row.item_id, []).append(row)
    for item in connection.execute(sa.select(items.c.id)).all():
        rows = collected.get(item.id, [])
        kind = rows[0].kind if rows else "auto_flag"
        connection.execute(
            items.update()
            .where(items.c.id == item.id)
            .values(kind=kind, reasons=[row.text for row in rows])
        )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("reasons", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index("uq_review_items_open_subject")
        batch_op.drop_index("ix_review_items_subject")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_type")
        batch_op.create_foreign_key(
            batch_op.f("fk_review_items_post_id_posts"),
            "posts",
            ["post_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_items_message_id_conversation_messages"),
            "conversation_messages",
            ["message_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint("one_subject", "(post_id IS NULL) <> (message_id IS NULL)")
        batch_op.create_index(batch_op.f("ix_review_items_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_items_message_id"), ["message_id"], unique=False
        )
        for column in ("post_id", "message_id"):
            batch_op.create_index(
                f"uq_review_items_open_{column.removesuffix('_id')}_kind",
                [column, "kind"],
                unique=True,
                sqlite_where=sa.text(OPEN),
                postgresql_where=sa.text(OPEN),
            )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_subject")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_type")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_post_id_posts"),
            "posts",
            ["post_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_log_message_id_conversation_messages"),
            "conversation_messages",
            ["message_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_audit_log_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_message_id"), ["message_id"], unique=False)

    for table_name in MODERATED:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("identifying_details", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("crisis", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("scores", sa.JSON(), nullable=True))
        table = sa.table(
            table_name,
            sa.column("id", sa.Integer),
            sa.column("findings", sa.JSON),
            sa.column("decision", sa.JSON),
            sa.column("scores", sa.JSON),
            sa.column("crisis", sa.JSON),
            sa.column("identifying_details", sa.JSON),
        )
        for row in connection.execute(
            sa.select(table.c.id, table.c.findings, table.c.decision).where(
                table.c.findings.is_not(None) | table.c.decision.is_not(None)
            )
        ).all():
            findings = row.findings or {"crisis": {"matches": []}, "identifying": []}
            matches = findings["crisis"]["matches"]
            details = [
                {key: d[key] for key in ("kind", "start", "end", "text", "why")}
                for d in findings["identifying"]
            ]
            decision = row.decision
            connection.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(
                    scores=(findings.get("scores") or {}).get("labels"),
                    crisis={"matches": matches} if matches else None,
                    identifying_details=details or None,
                    decision=None
                    if decision is None
                    else {
                        "outcome": decision["outcome"],
                        "reasons": [r["text"] for r in decision["reasons"]],
                        "review_kinds": list(dict.fromkeys(r["kind"] for r in decision["reasons"])),
                        "flagged_labels": decision["flagged_labels"],
                    },
                )
            )
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("moderator_approved")
            batch_op.drop_column("findings")

    op.drop_table("pending_edits")
    with op.batch_alter_table("review_reasons", schema=None) as batch_op:
        batch_op.drop_index("ix_review_reasons_kind")
    op.drop_table("review_reasons")
