"""docs/cli.md describes every command and every option of the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exactnet.cli.main import FAMILY_COMMANDS, cli

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_is_documented(name):
    assert f"`{name}" in DOC, f"docs/cli.md does not describe `exactnet {name}`"
    for param in cli.commands[name].params:
        if param.param_type_name == "option":
            assert any(f"`{opt}" in DOC or f"/{opt}" in DOC for opt in param.opts), \
                f"docs/cli.md does not mention {param.opts} of `exactnet {name}`"


def test_the_family_table_names_real_commands():
    assert set(FAMILY_COMMANDS) <= set(cli.commands)
