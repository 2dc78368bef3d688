"""Text that quotes a setting is built from the settings in force: after warmup_end_fraction = 0.15 no page says
the baseline is 10-50 %, and the pages that quote the windows say 15–50 %."""

from __future__ import annotations

from app_harness import assert_no_exception, everything_shown, open_app
from conftest import ADMIN

from analysis.charts.style import label, setting_words
from analysis.metrics.settings import MetricSettings
from analysis.store import Store

# Every page of the personal-mode navigation (Users is club mode only and quotes no setting).
PAGES = ("app_pages/overview.py", "app_pages/import_files.py", "app_pages/check_in.py", "app_pages/run_explorer.py",
         "app_pages/consistency.py", "app_pages/squad.py", "app_pages/strength_log.py", "app_pages/data_settings.py")
QUOTING = ("app_pages/run_explorer.py", "app_pages/consistency.py")  # pages that quote the baseline window
OLD = ("10-50", "10–50", "10 - 50", "10 – 50")


def test_labels_quote_the_settings_they_are_given():
    moved = MetricSettings(warmup_end_fraction=0.15, late_start_fraction=0.8, moving_speed_min_mps=1.2)
    assert "(10–50 %)" in label("pace_decay_pct").meaning and "(75–100 %)" in label("pace_decay_pct").meaning
    meaning = label("pace_decay_pct", moved).meaning
    assert "(15–50 %)" in meaning and "(80–100 %)" in meaning and "10–50" not in meaning
    assert "1.2 m/s" in label("moving_time_s", moved).meaning
    assert setting_words(MetricSettings(min_moving_time_min=45))["min_moving"] == "45 min"


def test_no_page_quotes_the_default_windows_after_a_change(store_copy, monkeypatch):
    with Store(store_copy) as store:
        store.set_metric_settings(ADMIN, None, warmup_end_fraction=0.15)
    for page in PAGES:
        at = open_app(store_copy, monkeypatch, page=page)
        tabs = ("Metric settings", "Runs", "Downloads") if page.endswith("data_settings.py") else (None,)
        for tab in tabs:
            if tab is not None:
                at.session_state["data_settings_tab"] = tab
                at.run()
                assert_no_exception(at)
            shown = everything_shown(at)
            assert not [old for old in OLD if old in shown], f"{page} {tab or ''} quotes the default window"
            if page in QUOTING:
                assert "15–50 %" in shown, f"{page} does not quote the window in force"
