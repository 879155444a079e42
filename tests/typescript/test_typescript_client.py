"""A frontend generates its TypeScript client from /api/schema/ with openapi-typescript:
code reading every contract field of create-from-cart, verify, /payments/cart/, cart
payment status and the cart compiles against it, and a misspelt field does not."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

HERE = Path(__file__).parent
BIN = HERE / "node_modules" / ".bin"


@pytest.fixture(scope="module")
def node_tools() -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed (Node.js from Debian's packages or the machine's)")
    if not (BIN / "tsc").exists() or not (BIN / "openapi-typescript").exists():
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE)
    return BIN


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def client_folder(tmp_path, node_tools) -> Path:
    call_command(
        "spectacular", "--file", str(tmp_path / "schema.yaml"), "--validate", "--fail-on-warn"
    )
    generated = run(
        [node_tools / "openapi-typescript", "schema.yaml", "-o", "schema.d.ts"], cwd=tmp_path
    )
    assert generated.returncode == 0, generated.stderr
    shutil.copy(HERE / "contract.ts", tmp_path / "contract.ts")
    return tmp_path


def compile_ts(folder: Path, source: str) -> subprocess.CompletedProcess:
    return run(
        [
            BIN / "tsc", "--noEmit", "--strict", "--target", "es2020", "--module", "esnext",
            "--moduleResolution", "bundler", source,
        ],
        cwd=folder,
    )  # fmt: skip


def test_code_reading_every_contract_field_compiles_against_the_generated_client(client_folder):
    compiled = compile_ts(client_folder, "contract.ts")
    assert compiled.returncode == 0, compiled.stdout


def test_a_field_the_schema_does_not_have_does_not_compile(client_folder):
    source = (client_folder / "contract.ts").read_text()
    (client_folder / "misspelt.ts").write_text(
        source.replace("answer.amount_decimal", "answer.amount_decimals")
    )
    compiled = compile_ts(client_folder, "misspelt.ts")
    assert compiled.returncode != 0
    assert "amount_decimals" in compiled.stdout and "TS2551" in compiled.stdout


def test_a_nullable_field_read_as_never_null_does_not_compile(client_folder):
    source = (client_folder / "contract.ts").read_text()
    (client_folder / "not_null.ts").write_text(
        source.replace(
            "const orderId: number | null = answer.order_id",
            "const orderId: number = answer.order_id",
        )
    )
    compiled = compile_ts(client_folder, "not_null.ts")
    assert compiled.returncode != 0
    assert "TS2322" in compiled.stdout
