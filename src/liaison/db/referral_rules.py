"""The rules a referral keeps: its state machine, which side moves it, how long its
evidence stays disclosed to the receiver, and how much one referral may carry."""

from __future__ import annotations

from liaison.db.referral_models import ReferralStatus as S

# Which status each may move to, and which side moves it there.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACCEPTED, S.RETURNED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.HANDLED}),
    S.RETURNED: frozenset(),
    S.HANDLED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
MOVED_BY_RECEIVER = frozenset({S.ACCEPTED, S.RETURNED, S.HANDLED})
MOVED_BY_SENDER = frozenset({S.WITHDRAWN})

# In hand: the receiver sees the evidence, the carried report and the referred records.
# Returned or withdrawn: only the referral itself (what was referred and the answer).
DISCLOSING: tuple[str, ...] = (S.SENT.value, S.ACCEPTED.value, S.HANDLED.value)
# Awaiting the receiver's feedback: overdue once the deadline has passed.
AWAITING_FEEDBACK: tuple[str, ...] = (S.SENT.value, S.ACCEPTED.value)

MAX_ATTACHMENTS = 10
MAX_REFERRED_RECORDS = 20
MAX_FEEDBACK_DAYS = 365
