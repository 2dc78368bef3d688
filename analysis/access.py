"""Who may see and change which athletes: the `Viewer` every `Store` read and write takes.

A club deployment (issue 20) has three roles, after intervals.icu's coach access and TrainingPeaks' coach
roster:

* `admin`: every athlete, plus users, the settings that change stored data, deletion and the sample club;
* `coach`: the athletes of their squad (names an admin gave), everywhere; imports and check-ins for them;
* `athlete`: the one athlete their account is linked to; imports and check-ins for themselves.

Personal mode (one person on their own computer, no login) and the command line (an administrator's tool on
the server: whoever can run it can read the store file) see everything, as an `admin` without an e-mail.

The store applies a viewer inside its queries (`Store` in analysis/store.py), so no page can forget it; a
`Viewer` is a frozen value with the athletes as a sorted tuple, so it is also a stable `st.cache_data` key.
Athlete names compare as the store compares them: spaces collapsed, case ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analysis.errors import InputError

ROLES = ("admin", "coach", "athlete")
ROLE_HELP = {
    "admin": "every athlete; users, settings that change stored data, deletion, the sample club",
    "coach": "the athletes of their squad: every page, imports and check-ins for them",
    "athlete": "only their own data: their runs, strength log, check-ins and downloads",
}
# A pragmatic check, not RFC 5322: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccessDenied(InputError):
    """A read or write outside what the viewer may do (an `InputError`, so pages and the CLI show it)."""


def name_key(name: object) -> str:
    """An athlete name as the store matches it: spaces collapsed, lower case."""
    return " ".join(str(name or "").split()).lower()  # lower(), as the store's SQL compares names


def clean_email(email: object) -> str:
    """An e-mail address as accounts are keyed: trimmed and lower-cased; `InputError` when it is not one."""
    cleaned = str(email or "").strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InputError(f"{email!r} is not an e-mail address (expected name@example.org)")
    return cleaned


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role and the athletes they may see (None = every athlete).

    `email` is the verified address of a logged-in user; None for personal mode and the command line,
    whose `label` says which (it is what the import history records as the importer).
    """

    role: str
    athletes: tuple[str, ...] | None
    email: str | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r}: use one of {', '.join(ROLES)}")
        if (self.athletes is None) != (self.role == "admin"):
            raise ValueError("an admin sees every athlete (athletes=None); a coach or an athlete sees a list")
        if self.athletes is not None:
            object.__setattr__(self, "athletes", tuple(sorted({" ".join(str(a).split()) for a in self.athletes})))

    @classmethod
    def everything(cls, label: str) -> Viewer:
        """Personal mode, the command line, the app's own work (the sample club, watched folders)."""
        return cls("admin", None, None, label)

    @classmethod
    def account(cls, email: str, role: str, athletes: Iterable[str] = ()) -> Viewer:
        """A logged-in user's viewer: an admin sees everyone; a coach their squad; an athlete themselves."""
        return cls(role, None if role == "admin" else tuple(athletes), clean_email(email), "")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def who(self) -> str:
        """How the import history names this viewer: the e-mail, else the label (e.g. "personal mode")."""
        return self.email or self.label or self.role

    def sees(self, athlete: object) -> bool:
        """Whether this viewer may see (and, for a coach or an athlete, import and check in for) `athlete`."""
        if self.athletes is None:
            return True
        key = name_key(athlete)
        return any(name_key(a) == key for a in self.athletes)

    def names(self, athletes: Iterable[str] | None = None) -> list[str] | None:
        """The athlete names a query is narrowed to: `athletes` (None = all) within what the viewer sees.

        None means no narrowing at all (an admin asking for everyone).
        """
        if athletes is None:
            return None if self.athletes is None else list(self.athletes)
        return [a for a in (str(x) for x in athletes) if self.sees(a)]

    def require(self, athlete: object, action: str) -> None:
        """`AccessDenied` naming the action unless this viewer may act for `athlete`."""
        if not self.sees(athlete):
            allowed = ", ".join(self.athletes or ()) or "nobody"
            raise AccessDenied(f"{self.who} ({self.role}) may not {action} for {athlete!r}: this account covers "
                               f"{allowed}. Ask an administrator to change the account.")

    def require_admin(self, action: str) -> None:
        """`AccessDenied` unless this viewer is an administrator."""
        if not self.is_admin:
            raise AccessDenied(f"only an administrator may {action}; {self.who} is a {self.role}")


CLI_VIEWER = Viewer.everything("command line")
PERSONAL_VIEWER = Viewer.everything("personal mode")
APP_VIEWER = Viewer.everything("the app")  # the app's own work: the first start's sample club, watched folders


def verified_email(claims: Mapping[str, object]) -> str | None:
    """The e-mail address of a logged-in user's ID-token claims (`st.user`), when it may identify them.

    None when the token carries no e-mail, or when the provider says it is not verified (`email_verified`
    false, as Auth0, Keycloak or authentik say of an address nobody confirmed: anyone could have typed it).
    A token without the `email_verified` claim is trusted: Microsoft Entra ID, for one, sends only addresses
    its directory holds and never the claim (OpenID Connect Core 1.0 §5.1 makes it optional).
    """
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    verified = claims.get("email_verified", True)
    if verified is False or (isinstance(verified, str) and verified.strip().lower() == "false"):
        return None
    try:
        return clean_email(email)
    except InputError:
        return None
