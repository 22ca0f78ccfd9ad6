"""`python -m indexer inspect`, driven through click's CliRunner."""
import json

from click.testing import CliRunner

from indexer.cli import main


def test_inspect_json_has_the_contract_keys(sample_dir):
    result = CliRunner().invoke(main, ["inspect", str(sample_dir / "002_fe0e8058e257553a.txt"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("title", "agency", "province", "city", "county", "year", "date", "headings", "passages"):
        assert key in data
    assert data["date"] == "2022-12-02" and data["agency"] == "阳江市卫生健康局"
    assert {"level", "title", "category"} <= set(data["headings"][0])
    assert {"id", "text", "section", "category"} <= set(data["passages"][0])
    assert any("双随机" in p["text"] for p in data["passages"])


def test_inspect_text_output(sample_dir):
    result = CliRunner().invoke(main, ["inspect", str(sample_dir / "001_2bba1cb4cd6e5587.txt")])
    assert result.exit_code == 0
    assert "青海省 西宁市 湟中区" in result.output
    assert "三、存在问题和薄弱环节  [存在的不足和原因]" in result.output


def test_inspect_errors_carry_a_hint(tmp_path):
    missing = CliRunner().invoke(main, ["inspect", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1 and "no such file" in missing.output and "Hint:" in missing.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    unreadable = CliRunner().invoke(main, ["inspect", str(bad)])
    assert unreadable.exit_code == 1 and "not a Word" in unreadable.output and "Hint:" in unreadable.output
    assert "Traceback" not in unreadable.output
