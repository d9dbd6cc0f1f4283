"""Views: what each page shows, composed from the domain functions, without Streamlit.

A view takes frames (as ``Platform.read`` gives them), the instant it is computed for and the
user's scope, and returns a small frozen dataclass of frames with internal column names. Pages
read their data, call their view and translate what it returns; tests, the realdata tier and
``bench/`` call the same view, so nothing re-composes a page's figures elsewhere.

Views of the manager pages (``capacity``, ``trends``, ``workload``, ``forecast``, the manager's
start) hold aggregates only: every frame they return passes ``aggregate_only`` when the view is
built, and counts of patient events arrive as "<5" where they are 1 to 4 (``mark_small``), so a
page cannot forget a disclosure rule by translating first.

| module | pages |
| --- | --- |
| ``capacity`` | capacity, the manager's start |
| ``trends`` | trends |
| ``workload`` | workload |
| ``forecast`` | forecast |
| ``inpatients`` | my patients, the physician's start |
| ``ward`` | tasks, bed board, handover, the nurse's start |
| ``audit`` | audit trail, the administrator's start |
"""
