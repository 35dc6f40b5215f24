"""The most common passwords, from the list the zxcvbn package ships (30,000 passwords from
leaked password sets, most frequent first). Nothing is fetched at run time."""

from __future__ import annotations

from collections.abc import Iterable


class PackagedCommonPasswords:
    """The list held as a set of case-folded entries; `contains` is one lookup."""

    def __init__(self, passwords: Iterable[str]) -> None:
        self._passwords = frozenset(p.casefold() for p in passwords)

    @classmethod
    def from_zxcvbn(cls) -> PackagedCommonPasswords:
        # Imported here: the module holds zxcvbn's every list (a few MB), and only the web
        # process, which checks new passwords, needs one of them.
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        return cls(FREQUENCY_LISTS["passwords"])

    def __len__(self) -> int:
        return len(self._passwords)

    def contains(self, password: str) -> bool:
        return password.casefold() in self._passwords
