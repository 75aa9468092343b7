"""The registration state machine: which status may follow which, and who may move it."""

from pulih.registry.models import RegistrationStatus as S

# to-status -> from-statuses. Verified and rejected are final: a rejected owner contacts the
# agency, and a verified record changes only through the officer-reviewed paths of later issues.
ALLOWED: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset({S.DRAFT, S.NEEDS_FIX}),
    S.NEEDS_FIX: frozenset({S.SUBMITTED}),
    S.VERIFIED: frozenset({S.SUBMITTED}),
    S.REJECTED: frozenset({S.SUBMITTED, S.NEEDS_FIX}),
}

# Transitions an officer decides; the owner only submits.
OFFICER_DECISIONS = frozenset({S.NEEDS_FIX, S.VERIFIED, S.REJECTED})
REASON_REQUIRED = frozenset({S.NEEDS_FIX, S.REJECTED})
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.NEEDS_FIX})


def is_allowed(from_status: str, to_status: str) -> bool:
    return S(from_status) in ALLOWED.get(S(to_status), frozenset())
