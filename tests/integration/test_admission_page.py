"""The admission queue page in the app (AppTest) on the real test server: a nurse sees her
ward's waiting patients as the ground truth has them, gives one a bed, and the queue shrinks
while the bed board shows the bed occupied; who may open the page."""

from __future__ import annotations

import pytest
import streamlit as st

from services.i18n import t
from tests.integration.test_admissions import (  # noqa: F401  (restore: a fixture)
    a_placeable,
    beds_now,
    read_queue,
    restore,
)
from tests.support.apptest import open_page, visible_text

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


def test_nurse_gives_a_waiting_patient_a_bed(
    platform,
    test_network,
    restore,  # noqa: F811
):
    keep = restore.keep
    # A nurse of a ward where a waiting patient has a free bed that fits.
    _, _, nurse = a_placeable(platform, test_network, restore)
    # The pages' cached reads of the beds may be from before beds were set free for it.
    st.cache_data.clear()
    at = open_page("pages/admissions.py", nurse)
    assert not at.exception
    ward_id = at.selectbox(key="nurse.ward").value
    truth = test_network.ground_truth["admission_queue"].get(ward_id, {})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("admission.waiting")] == str(len(truth))
    shown = visible_text(at)
    assert "None" not in shown and "nan" not in shown
    assign = [b for b in at.button if b.key and b.key.startswith("admission.assign.")]
    if not assign:
        pytest.fail(f"no waiting admission of {ward_id} has a free bed that fits")
    task_id = assign[0].key.removeprefix("admission.assign.")
    bed_id = at.selectbox(key=f"admission.bed.{task_id}").value
    row = read_queue(platform, test_network, (ward_id,)).set_index("task_id").loc[task_id]
    for path in (f"Task/{task_id}", f"Encounter/{row['encounter_id']}", f"Location/{bed_id}"):
        keep(path)
    assign[0].click()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("admission.waiting")] == str(len(truth) - 1)
    board = beds_now(platform).set_index("bed_id")
    assert board.at[bed_id, "status"] == "O"
    assert board.at[bed_id, "encounter_id"] == row["encounter_id"]


@pytest.mark.parametrize("who", ["arzt.demo", "management.demo", "admin.demo"])
def test_only_nurses_open_the_page(users, who):
    at = open_page("pages/admissions.py", users[who])
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("admission.")]
