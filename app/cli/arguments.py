"""Argument types the verbs share: a value from one of the closed sets of the auditors' words."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from fieldwork.app.domain.vocabulary import Labelled


def choice(kind: type[Labelled]) -> Callable[[str], Labelled]:
    """An argument from a closed set, by value or label; the error lists the choices."""

    def parse(text: str) -> Labelled:
        try:
            return kind.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse
