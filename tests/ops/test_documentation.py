"""The project documents itself: every variable the settings read is in the configuration
docs and .env.example, and the README points at nothing outside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def variables_read_by_settings() -> set[str]:
    """Every variable config/settings/ and each provider's settings block read."""
    blocks = [
        *(ROOT / "config" / "settings").glob("*.py"),
        *ROOT.glob("payments/providers/*/conf.py"),
    ]
    text = "\n".join(path.read_text() for path in blocks)
    names = set(re.findall(r'(?:env_(?:str|int|bool|list)|_setting)\(\s*"([A-Z][A-Z0-9_]+)"', text))
    names.discard("X")
    return names


def test_the_settings_read_the_variables_this_test_expects():
    assert {
        "DATABASE_URL",
        "RAZORPAY_WEBHOOK_SECRET",
        "EMAIL_BACKEND",
    } <= variables_read_by_settings()


@pytest.mark.parametrize("document", ["docs/configuration.md", ".env.example"])
def test_every_variable_is_documented(document):
    text = (ROOT / document).read_text()
    missing = sorted(name for name in variables_read_by_settings() if name not in text)
    assert missing == []


def test_the_readme_links_the_docs_and_nothing_outside_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
    for doc in ("api.md", "configuration.md", "providers.md", "development.md"):
        assert f"docs/{doc}" in readme
