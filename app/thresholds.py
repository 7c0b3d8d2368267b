"""Every number the program rules use, in one place, with the section of rules.md it comes from."""

from __future__ import annotations

# §2: ANC values, whole cells per microliter.
MAX_ANC_PER_UL = 100_000
GENERAL_NORMAL_MIN = 1500  # also the general initiation threshold (§2)
GENERAL_MILD_MIN = 1000  # also the general acceptable-range floor
GENERAL_MODERATE_MIN = 500
BEN_NORMAL_MIN = 1000  # also the BEN initiation threshold
BEN_NEUTROPENIA_MIN = 500  # also the BEN acceptable-range floor
SEVERE_BELOW = 500  # severe neutropenia in both populations

# §4: a BEN patient needs at least this many baseline ANCs to enroll.
BEN_BASELINE_ANCS = 2

# §3 [D]: a resume after this many days of interruption restarts the monitoring clock.
LONG_INTERRUPTION_DAYS = 30

# §6.2 [D]: the longest allowed step between draws, by the PSF's monitoring frequency.
ALLOWED_GAP_DAYS = {"weekly": 9, "every_2_weeks": 16, "monthly": 33}

# §7: the monitoring clock's base intervals, by days since the clock started.
EVERY_2_WEEKS_FROM_DAY = 182
MONTHLY_FROM_DAY = 365
# §7: weekly for this many days after a moderate/severe (or BEN) episode recovers.
POST_EPISODE_WEEKLY_DAYS = 28
# §7: days from the most current draw to the next ANC due, by recommended monitoring.
NEXT_ANC_DUE_DAYS = {
    "daily": 1,
    "three_times_weekly": 2,
    "weekly": 7,
    "every_2_weeks": 14,
    "monthly": 31,
}

# §8: a subsequent dispense needs a PSF dated within this many days.
PSF_CURRENT_DAYS = 37

# §9 [D]: a pharmacy is decertified this many days after certification or reconfirmation.
PHARMACY_RECONFIRM_DAYS = 730
# The Authorized Representative is reminded this many days before certification lapses.
RECONFIRM_REMINDER_DAYS = (60, 30, 7)

# §10: a Dispense Rationale's ANC is current when drawn within this many days of the request.
DISPENSE_RATIONALE_ANC_CURRENT_DAYS = {"weekly": 7, "every_2_weeks": 15, "monthly": 31}
# §10 [D]: at most this many outpatient Dispense Rationales per patient in a rolling window.
OUTPATIENT_DISPENSE_RATIONALE_LIMIT = 3
DISPENSE_RATIONALE_WINDOW_DAYS = 365

# Workstation sign-in (FAQ, Technical Support Q10): this many wrong passwords in a row lock
# the account for this many minutes. An idle session locks after this many minutes
# (a project default; configurable per workstation).
SIGN_IN_ATTEMPTS = 5
SIGN_IN_LOCKOUT_MINUTES = 30
IDLE_LOCK_MINUTES = 15
# [D] A neutropenia notification stays flagged (sign-in banner, roster, chart) this long.
NOTIFICATION_FLAG_DAYS = 14
