"""Programme kinds, each with the benefit an approved decision creates and what follows it.

Eligibility, decisions and appeals never look at the kind: they call the kind's Benefit. A new
kind of programme (training seats, bazaar booths, certification help) is one more entry in
KINDS with its own Benefit; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import polars as pl

if TYPE_CHECKING:
    from pulih.accounts.models import User
    from pulih.programmes.models import Decision


class Benefit(Protocol):
    def create(self, *, decision: Decision, recipients: pl.DataFrame, actor: User) -> int:
        """Benefits for the frame's recipients (application_id, person_id, amount, bank,
        region_code), in bulk; returns how many. Raises IntegrityError for a person who
        already has one in the round."""
        ...

    def cancel(self, *, decision: Decision, application_ids: list[int], actor: User) -> int:
        """Withdraw the benefits of applications an amendment removes; refuses money already
        sent or goods already handed over (ProgrammeError)."""
        ...


class _Payments:
    def create(self, *, decision: Decision, recipients: pl.DataFrame, actor: User) -> int:
        from pulih.payments import services

        return services.payments_create(decision=decision, recipients=recipients, actor=actor)

    def cancel(self, *, decision: Decision, application_ids: list[int], actor: User) -> int:
        from pulih.payments import services

        return services.payments_cancel(
            decision=decision, application_ids=application_ids, actor=actor
        )


class _Handovers:
    def create(self, *, decision: Decision, recipients: pl.DataFrame, actor: User) -> int:
        from pulih.payments import services

        return services.handovers_create(decision=decision, recipients=recipients, actor=actor)

    def cancel(self, *, decision: Decision, application_ids: list[int], actor: User) -> int:
        from pulih.payments import services

        return services.handovers_cancel(
            decision=decision, application_ids=application_ids, actor=actor
        )


@dataclass(frozen=True)
class Kind:
    label: str
    pays_through_banks: bool  # cash through bank transfer files, or goods handed over
    benefit: Benefit
    follow_up: str  # the URL name of the round's follow-up screen (batches or handovers)


KINDS: dict[str, Kind] = {
    "cash": Kind("Bantuan tunai", True, _Payments(), "payments:batch_list"),
    "capital": Kind("Bantuan modal", True, _Payments(), "payments:batch_list"),
    "goods": Kind("Bantuan barang", False, _Handovers(), "payments:handover_list"),
    "food": Kind("Paket sembako", False, _Handovers(), "payments:handover_list"),
}
