"""The live view acts as the commands do: through `State.read` and `change`, it acts as the
member the login running it is bound to, and no one else (services/identity.py)."""

from __future__ import annotations

from complaintctl import services
from complaintctl.cli.app import State
from complaintctl.live.session import Session
from complaintctl.services.identity import BIND_LOGINS, switch
from tests.live.conftest import NOW

ORIGIN = ("olu.login", "testhost")


def test_the_live_view_acts_as_the_member_the_login_is_bound_to_and_no_one_else(
    demo_store: str,
) -> None:
    # The senior maps logins from a login of their own: from olu's, they could not act after.
    senior = State(db=demo_store, actor="sam", now=NOW, origin=("sam.login", "testhost"))
    senior.change(
        lambda uow, _: services.bind_staff(
            uow, username="olu", db_role=None, os_login="olu.login", by="sam", at=NOW, now=NOW
        ),
        None,
    )
    senior.change(
        lambda uow, _: switch(uow, key=BIND_LOGINS, on=True, by="sam", at=NOW, now=NOW), None
    )
    senior.close()
    # No one named: the login's member acts. Naming the senior: they are offered nothing.
    unnamed = State(db=demo_store, actor="olu.login", now=NOW, origin=ORIGIN, named=False)
    named = State(db=demo_store, actor="sam", now=NOW, origin=ORIGIN)
    try:
        # What `queue --mine` asks before its transaction: the bound member, settled.
        assert "olu" == unnamed.acting()
        as_bound, as_senior = (Session(s, clock=lambda: NOW) for s in (unnamed, named))
        member = as_bound.member()
        ref = as_bound.queue().items[0].ref

        assert ("olu", "olu") == (member and member.username, as_bound.actor)
        assert as_bound.case(ref)[1]
        assert () == as_senior.case(ref)[1]
    finally:
        unnamed.close()
        named.close()
