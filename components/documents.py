"""A person's letters and reports: listed per hospital, one opened in the page.

Text is shown line by line as escaped Markdown (a letter from a source cannot render links or
images); a PDF in the page where the installed Streamlit has its PDF viewer, else as a download.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from services.domain.documents import DocumentBody
from services.i18n import fmt_datetime
from services.markdown import plain, plain_lines

__all__ = ["document_body", "document_choice", "document_key", "document_tables"]

Translate = Callable[..., str]
# st.pdf draws through the optional streamlit-pdf component; without it the call fails.
PDF_VIEWER = importlib.util.find_spec("streamlit_pdf") is not None


def document_key(source: str, document_id: str) -> str:
    """The option value of one document in the chooser."""
    return f"{source}|{document_id}"


def _word(prefix: str, value: object, tr: Translate) -> str:
    if not isinstance(value, str) or not value:
        return "–"
    try:
        return tr(f"{prefix}.{value}")
    except KeyError:
        return value


def document_tables(
    listing: pd.DataFrame, hospital_names: Mapping[str, str], tr: Translate, lang: str
) -> None:
    """One table per hospital: date, type, title, author, status and what the content is."""
    for hospital, rows in listing.groupby("hospital_id", sort=False):
        st.markdown(f"**{plain(hospital_names.get(hospital, hospital))}**")
        status = [
            " · ".join(
                w
                for w in (
                    _word("documents.status", s, tr),
                    _word("documents.doc_status", d, tr),
                )
                if w != "–"
            )
            or "–"
            for s, d in zip(rows["status"], rows["doc_status"], strict=True)
        ]
        table = pd.DataFrame(
            {
                tr("documents.col.date"): rows["date"].map(lambda d: fmt_datetime(d, lang)),
                tr("documents.col.type"): rows["type"].fillna("–"),
                tr("documents.col.title"): rows["title"].fillna("–"),
                tr("documents.col.author"): rows["author"].fillna("–"),
                tr("col.status"): status,
                tr("documents.col.content"): rows["content"].map(
                    lambda c: tr(f"documents.content.{c}")
                ),
            }
        )
        st.dataframe(table, hide_index=True, placeholder="–")


def document_choice(
    listing: pd.DataFrame, hospital_names: Mapping[str, str], tr: Translate, lang: str
) -> str | None:
    """The chooser of the document to open; the key of the chosen one, None before a choice."""
    labels = {
        document_key(r.source, r.id): tr(
            "documents.item",
            date=fmt_datetime(r.date, lang),
            type=r.type if isinstance(r.type, str) else "–",
            title=r.title if isinstance(r.title, str) else "–",
            hospital=hospital_names.get(r.hospital_id, r.hospital_id),
        )
        for r in listing.itertuples(index=False)
    }
    return st.selectbox(
        tr("documents.open"),
        list(labels),
        index=None,
        format_func=lambda key: labels[key],
        placeholder=tr("documents.choose"),
        key="document_open",
    )


def document_body(
    body: DocumentBody,
    *,
    title: str,
    file_name: str,
    source: str,
    tr: Translate,
    on_download: Callable[[], None],
) -> None:
    """The opened document, or in words why it cannot be shown."""
    st.caption(tr("documents.opened", title=plain(title)))
    if body.kind == "text":
        shown = plain_lines(body.text or "")
        if shown:
            st.markdown(shown)
        else:
            st.info(tr("documents.body.empty"))
    elif body.kind == "pdf" and body.data is not None:
        if PDF_VIEWER:
            st.pdf(body.data, height=700)
        else:
            st.info(tr("documents.body.pdf_no_viewer"))
        st.download_button(
            tr("documents.body.pdf_download"),
            body.data,
            file_name=file_name,
            mime="application/pdf",
            key="document_pdf",
            on_click=on_download,
        )
    elif body.kind == "failed":
        reason = tr(body.error_key or "error.generic", source=source, detail=body.detail or "–")
        st.warning(tr("documents.body.failed", reason=reason))
    elif body.kind == "unsupported":
        st.info(tr("documents.body.unsupported", content_type=plain(body.content_type)))
    else:
        st.info(tr(f"documents.body.{body.kind}"))
