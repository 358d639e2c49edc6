"""Every command Kring answers: the declarations found in the `handlers` package, in the order `!help` lists them."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import handlers
from handlers.commands.declaration import Command, CommandSet


def declared_in(package: ModuleType) -> CommandSet:
    """The commands declared at the top of any module of `package` (sub-packages too), by their `order`."""
    found: dict[int, Command] = {}
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, Command):
                found[id(value)] = value  # a command imported into another module is still one command
    return CommandSet(tuple(found.values()))


COMMANDS = declared_in(handlers)
