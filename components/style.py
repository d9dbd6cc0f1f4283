"""The app's one stylesheet: readable contrast in the light and the dark theme, a visible focus
ring on every control, task rows that never break a word, and the printed page.

Injected once per run by ``app.py``. Print: A4 landscape, the page's content only (no sidebar,
toolbar, pickers or buttons) under a header that says what was printed, when and by whom
(``print_header``, drawn on paper only).
"""

from __future__ import annotations

from html import escape

import streamlit as st

from components.scope import now
from components.session import language, tr, user
from services.i18n import fmt_datetime

__all__ = ["inject_styles", "print_header"]

_STYLE = """
<style>
/* Streamlit's captions and metric labels are grey at a contrast below WCAG AA (3.8:1): the
   text colour of the theme at 85 % keeps them quieter than body text and above 4.5:1 in the
   light and the dark theme. */
[data-testid="stCaptionContainer"], [data-testid="stMetricLabel"] {
    color: inherit !important;
    opacity: 0.85;
}
/* A slider's value is drawn in the theme's primary red: 3.5:1 on the dark theme's page. In the
   page's text colour it reads in both themes. */
[data-testid="stSliderThumbValue"], [data-testid="stSliderThumbValue"] p {
    color: inherit !important;
}
/* One focus ring for every control (WCAG 2.4.7): Streamlit draws none on its menu links and its
   main area, a faint one on some buttons, and on fields only a border tint. The blue keeps at
   least 3:1 against the page and the sidebar in the light and the dark theme. A field draws it
   around the box that holds its input: the input inside a picker can be a few pixels wide, and
   a radio button's input is hidden behind its drawn circle. */
:focus-visible {
    outline: 2px solid #3b82f6 !important;
    outline-offset: 2px;
}
input:focus-visible, textarea:focus-visible { outline: none !important; }
:is(div, label):has(> input:focus-visible), div:has(> textarea:focus-visible),
label[data-focus-visible="true"] {
    outline: 2px solid #3b82f6 !important;
    outline-offset: 2px;
}
/* Task list: a task name, a priority or a button label never breaks inside a word
   ("Wundversorgun / g") or ends in an ellipsis; a column too narrow for its longest word grows
   instead. */
[class*="st-key-nurse-task-"] [data-testid="stMarkdownContainer"] :is(p, li) {
    overflow-wrap: normal;
    word-break: normal;
}
/* Not the note's column: a field's own width would count as its shortest. */
[class*="st-key-nurse-task-"] [data-testid="stColumn"]:not(:nth-child(5)) {
    min-width: min-content;
}
[class*="st-key-nurse-task-"] button { padding-inline: 0.5rem; }
[class*="st-key-nurse-task-"] button .stMarkdownEllipsis {
    overflow: visible;
    text-overflow: clip;
    white-space: nowrap;
}
/* The session cookie's helper frames are invisible but were tab stops: hidden, they still run. */
[class*="st-key-medicus_cookie"] iframe { visibility: hidden; }
.medicus-print-header { display: none; }

@page { size: A4 landscape; margin: 10mm 12mm; }
@media print {
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
    [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
    [data-testid="stStatusWidget"], [data-testid="stElementToolbar"],
    [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stDateInput"],
    [data-testid="stTextInput"], [data-testid="stTextArea"], [data-testid="stCheckbox"],
    [data-testid="stToggle"], [data-testid="stRadio"], [data-testid="stSlider"],
    [data-testid="stNumberInput"], [data-testid="stButton"], [data-testid="stDownloadButton"],
    [data-testid="stPageLink"],
    [data-testid="stTabs"] [role="tablist"], .modebar-container, .stButton,
    .stDownloadButton, .st-key-print-hide {
        display: none !important;
    }
    /* Streamlit scrolls its main area inside a fixed-height box; on paper the whole page
       must flow over as many sheets as it needs. */
    html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"],
    [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
        height: auto !important;
        min-height: 0 !important;
        overflow: visible !important;
        position: static !important;
    }
    [data-testid="stMainBlockContainer"] {
        padding: 0 !important;
        max-width: none !important;
    }
    [data-testid="stAppViewContainer"] > [data-testid="stMain"] { margin: 0 !important; }
    .medicus-print-header {
        display: flex;
        justify-content: space-between;
        border-bottom: 1px solid #000;
        padding-bottom: 2mm;
        margin-bottom: 3mm;
        font-size: 10pt;
        color: #000;
    }
    h1 { font-size: 16pt !important; padding: 0 !important; }
    [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stExpander"] {
        break-inside: avoid;
    }
    * { color-adjust: exact; -webkit-print-color-adjust: exact; }
}
</style>
"""


def inject_styles() -> None:
    st.html(_STYLE)


def print_header(subject: str) -> None:
    """The printed page's header: ``subject`` (ward or patient), the time, who printed it."""
    current = user()
    who = current.name if current is not None else "–"
    st.html(
        '<div class="medicus-print-header">'
        f"<strong>{escape(subject)}</strong>"
        f"<span>{escape(tr('print.printed', time=fmt_datetime(now(), language()), name=who))}"
        "</span></div>"
    )
