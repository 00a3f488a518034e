"""Hostile input: every bad file is rejected with a clear reason, and nothing else is lost."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import subprocess_env
from test_load import (
    DAY,
    SCHEMAS,
    encode,
    file_name,
    ids_and_rows,
    manifest,
    raw_files,
    record,
    records,
    row_count,
    valid_file,
    warehouse,
    write,
)

from ecom_elt.config import config_dir
from ecom_elt.load import load
from ecom_elt.lock import PipelineBusy, pipeline_lock
from ecom_elt.paths import DataRoot, data_root


def only_row(root: DataRoot) -> dict[str, Any]:
    rows = manifest(root)
    assert len(rows) == 1, rows
    return rows[0]


def assert_rejected(
    root: DataRoot, name: str, rule: str, *, in_message: str = "", outcome: str = "rejected"
) -> dict[str, Any]:
    """The file has one manifest row with that rule, sits in quarantine, and added no row."""
    row = only_row(root)
    assert (row["file_name"], row["outcome"]) == (name, outcome)
    reasons = json.loads(row["reasons"])
    assert reasons and all(set(r) == {"rule", "message", "example"} for r in reasons)
    assert reasons[0]["rule"] == rule, reasons
    message = reasons[0]["message"]
    assert message.startswith(f"{name}: {rule}: "), message
    assert reasons[0]["example"] and reasons[0]["example"] in message
    assert in_message in message, message
    assert row["archived_to"] == f"quarantine/{name}"
    assert (root.quarantine / name).is_file()
    assert raw_files(root) == []
    if row["source"]:
        assert row_count(root, row["source"]) == 0
    return row


def reason(row: dict[str, Any], index: int = 0) -> dict[str, str]:
    return json.loads(row["reasons"])[index]


# --------------------------------------------------------------------------- empty files


def test_zero_byte_file(root: DataRoot) -> None:
    name = file_name("sessions")
    write(root, name, b"")
    load(root)
    row = assert_rejected(root, name, "file_empty", in_message="0 bytes")
    assert (row["size_bytes"], row["source"], str(row["business_date"])) == (0, "sessions", DAY)


def test_header_but_no_rows(root: DataRoot) -> None:
    name = file_name("users")
    columns = list(SCHEMAS.sources["users"].column_names)
    write(root, name, encode("users", [], columns=columns))
    load(root)
    assert_rejected(root, name, "file_empty", in_message="a header but no rows")


@pytest.mark.parametrize(
    ("source", "data"), [("products", b"[]"), ("orders", b"\n"), ("api_logs", b"  \n\n")]
)
def test_json_without_records(root: DataRoot, source: str, data: bytes) -> None:
    name = file_name(source)
    write(root, name, data)
    load(root)
    assert_rejected(root, name, "file_empty")


# --------------------------------------------------------------------------- broken JSON


def test_truncated_last_json_line(root: DataRoot) -> None:
    name = file_name("orders")
    data = encode("orders", records("orders", "o", 5))
    write(root, name, data[:-25])  # the fifth line loses its end
    load(root)
    row = assert_rejected(root, name, "file_unparseable", in_message="line 5 is not valid JSON")
    assert reason(row)["example"].startswith('line 5: {"order_id": "o:5"')


def test_json_object_where_an_array_is_due(root: DataRoot) -> None:
    name = file_name("products")
    write(root, name, json.dumps(record("products", "p", 1)).encode())
    load(root)
    assert_rejected(root, name, "file_wrong_shape", in_message="JSON object where a JSON array")


def test_json_array_where_lines_are_due(root: DataRoot) -> None:
    name = file_name("api_logs")
    write(root, name, json.dumps(records("api_logs", "a", 2)).encode())
    load(root)
    assert_rejected(root, name, "file_wrong_shape", in_message="JSON array where one JSON object")


def test_a_line_that_is_not_an_object(root: DataRoot) -> None:
    name = file_name("orders")
    lines = encode("orders", records("orders", "o", 4)).decode().splitlines()
    lines.insert(2, "[1, 2, 3]")
    write(root, name, "\n".join(lines).encode())
    load(root)
    row = assert_rejected(root, name, "file_wrong_shape", in_message="line 3 is a JSON array")
    assert reason(row)["example"] == "line 3: [1, 2, 3]"


def test_array_element_that_is_not_an_object(root: DataRoot) -> None:
    name = file_name("products")
    write(root, name, json.dumps([record("products", "p", 1), "oops"]).encode())
    load(root)
    assert_rejected(root, name, "file_wrong_shape", in_message="element 2 of the array")


@pytest.mark.parametrize(
    ("source", "where"), [("orders", "line 3 is a JSON null"), ("products", "element 3 of")]
)
def test_a_null_record(root: DataRoot, source: str, where: str) -> None:
    """DuckDB reads a `null` record as a row without values; the loader finds it out."""
    name = file_name(source)
    recs: list[Any] = records(source, "r", 4)
    recs.insert(2, None)
    if source == "orders":
        data = "\n".join(json.dumps(r) for r in recs).encode()
    else:
        data = json.dumps(recs).encode()
    write(root, name, data)
    load(root)
    assert_rejected(root, name, "file_wrong_shape", in_message=where)


def test_a_record_naming_a_field_twice(root: DataRoot) -> None:
    name = file_name("api_logs")
    lines = encode("api_logs", records("api_logs", "a", 3)).decode().splitlines()
    lines[1] = lines[1].replace("{", '{"service": "search", ', 1)
    write(root, name, "\n".join(lines).encode())
    load(root)
    row = assert_rejected(
        root, name, "file_unparseable", in_message="line 2 names the field 'service' twice"
    )
    assert reason(row)["example"].startswith("line 2: {")


def test_empty_objects_and_null_values_load(root: DataRoot) -> None:
    """`{}` is an object (its row has no values: dbt's rules judge it), and a required field
    that is null in every record is there all the same: neither rejects the file."""
    name = file_name("orders")
    recs: list[dict[str, Any]] = records("orders", "o", 3)
    for rec in recs:
        rec["coupon_code"] = None
        rec["session_id"] = None
    recs[0]["items"] = None  # a JSON null in a json column: no value either
    write(root, name, encode("orders", [*recs, {}]))
    load(root)
    row = only_row(root)
    assert (row["outcome"], row["row_count"], json.loads(row["warnings"])) == ("loaded", 4, [])
    with warehouse(root) as con:
        found = con.execute(
            "select count(*), count(order_id), count(session_id), count(items) from raw.orders"
        ).fetchone()
    assert found == (4, 3, 0, 2)


def test_json_fields_beyond_the_key_sample(root: DataRoot) -> None:
    """Values are counted over every record; field names come from the first 64 KiB only: an
    optional field first seen further on is loaded without a warning, an extra one there goes
    unreported (it is not loaded either way)."""
    name = file_name("api_logs")
    recs: list[dict[str, Any]] = records("api_logs", "a", 1200)
    for rec in recs[:1000]:
        del rec["user_agent"]
    recs[-1]["trace_id"] = "late"
    data = encode("api_logs", recs)
    assert len(data.split(b"trace_id")[0]) > 64 << 10
    write(root, name, data)
    load(root)
    row = only_row(root)
    assert (row["outcome"], json.loads(row["warnings"])) == ("loaded", [])
    with warehouse(root) as con:
        assert con.execute("select count(user_agent) from raw.api_logs").fetchone() == (200,)


# --------------------------------------------------------------------------- bytes


def test_corrupt_gzip(root: DataRoot) -> None:
    name = file_name("api_logs", gz=True)
    data = bytearray(gzip.compress(encode("api_logs", records("api_logs", "a", 2000))))
    data[len(data) // 2] ^= 0xFF
    write(root, name, bytes(data))
    load(root)
    assert_rejected(root, name, "file_unreadable", in_message="gzip data is corrupt")


def test_gzip_with_a_wrong_checksum(root: DataRoot) -> None:
    """DuckDB's reader does not check the CRC; the loader's byte pass does."""
    name = file_name("api_logs", gz=True)
    data = bytearray(gzip.compress(encode("api_logs", records("api_logs", "a", 20))))
    data[-6] ^= 0xFF  # inside the CRC-32 of the trailer
    write(root, name, bytes(data))
    load(root)
    assert_rejected(root, name, "file_unreadable", in_message="CRC-32 checksum does not match")


def test_gzip_with_a_wrong_length(root: DataRoot) -> None:
    """The trailer's length of the content (ISIZE) is checked too, with the CRC."""
    name = file_name("api_logs", gz=True)
    data = bytearray(gzip.compress(encode("api_logs", records("api_logs", "a", 20))))
    data[-2] ^= 0xFF  # inside the ISIZE of the trailer
    write(root, name, bytes(data))
    load(root)
    assert_rejected(root, name, "file_unreadable", in_message="length check does not")


def test_not_gzip_data_under_a_gz_name(root: DataRoot) -> None:
    name = file_name("api_logs", gz=True)
    write(root, name, encode("api_logs", records("api_logs", "a", 20)))
    load(root)
    assert_rejected(root, name, "file_unreadable", in_message="not gzip data")


def test_truncated_gzip(root: DataRoot) -> None:
    name = file_name("orders", gz=True)
    data = gzip.compress(encode("orders", records("orders", "o", 50)))
    write(root, name, data[: len(data) // 2])
    load(root)
    assert_rejected(root, name, "file_unreadable", in_message="ends early")


def test_damaged_gzip_files_among_good_ones(root: DataRoot) -> None:
    """Files read in one group: a damaged one is rejected with its byte problem (found while
    DuckDB reads the group, or when a read error splits it), the others load whole."""
    good = [file_name("api_logs", suffix=f"{hour:02d}", gz=True) for hour in (1, 2, 3)]
    for hour, name in enumerate(good, 1):
        write(root, name, gzip.compress(encode("api_logs", records("api_logs", f"g{hour}", 50))))
    wrong_crc = file_name("api_logs", suffix="04", gz=True)
    data = bytearray(gzip.compress(encode("api_logs", records("api_logs", "c", 50))))
    data[-6] ^= 0xFF
    write(root, wrong_crc, bytes(data))
    truncated = file_name("api_logs", suffix="05", gz=True)
    data = bytearray(gzip.compress(encode("api_logs", records("api_logs", "t", 500))))
    write(root, truncated, bytes(data[: len(data) // 2]))
    summary = load(root)
    outcomes = {f.name: (f.outcome, f.rows) for f in summary.files}
    assert outcomes == {
        **{name: ("loaded", 50) for name in good},
        wrong_crc: ("rejected", 0),
        truncated: ("rejected", 0),
    }
    rules = {r["file_name"]: reason(r)["rule"] for r in manifest(root) if r["reasons"] != "[]"}
    assert rules == {wrong_crc: "file_unreadable", truncated: "file_unreadable"}
    assert row_count(root, "api_logs") == 150


def test_latin1_bytes(root: DataRoot) -> None:
    name = file_name("users")
    recs = records("users", "u", 3)
    recs[1]["city"] = "Besançon"
    text = encode("users", recs).decode()
    write(root, name, text.encode("latin-1"))
    load(root)
    row = assert_rejected(root, name, "file_not_utf8", in_message="line 3")
    assert "Besan\\xe7on" in reason(row)["example"]
    assert reason(row)["example"].startswith("line 3: u:2,")


def test_utf16_file(root: DataRoot) -> None:
    name = file_name("sessions")
    write(root, name, encode("sessions", records("sessions", "s", 2)).decode().encode("utf-16"))
    load(root)
    assert_rejected(root, name, "file_not_utf8", in_message="UTF-16")


# --------------------------------------------------------------------------- CSV structure


def test_semicolon_delimited_csv(root: DataRoot) -> None:
    name = file_name("sessions")
    text = encode("sessions", records("sessions", "s", 3)).decode().replace(",", ";")
    write(root, name, text.encode())
    load(root)
    row = assert_rejected(root, name, "file_unparseable", in_message="separated by semicolons")
    assert reason(row)["example"].startswith("line 1: session_id;user_id;")


def test_row_with_too_many_fields_rejects_the_whole_file(root: DataRoot) -> None:
    """The bad row comes after 3000 good ones: none of them stays in raw.sessions."""
    name = file_name("sessions")
    text = encode("sessions", records("sessions", "s", 3000)).decode() + "a,b,c\n"
    write(root, name, (text + encode("sessions", records("sessions", "t", 5)).decode()).encode())
    load(root)
    row = assert_rejected(root, name, "file_unparseable", in_message="line 3002 has 3 fields")
    assert reason(row)["example"] == "line 3002: a,b,c"


def test_unterminated_quote(root: DataRoot) -> None:
    name = file_name("users")
    text = encode("users", records("users", "u", 3)).decode() + 'u:9,"unclosed\n'
    write(root, name, text.encode())
    load(root)
    assert_rejected(root, name, "file_unparseable", in_message="never closed")


def test_required_column_missing(root: DataRoot) -> None:
    name = file_name("users")
    columns = [c for c in SCHEMAS.sources["users"].column_names if c != "email"]
    write(root, name, encode("users", records("users", "u", 3), columns=columns))
    load(root)
    row = assert_rejected(
        root, name, "required_column_missing", in_message="required column email is missing"
    )
    assert reason(row)["example"].startswith("line 1: user_id,first_name,")


def test_required_json_field_missing_everywhere(root: DataRoot) -> None:
    name = file_name("orders")
    recs = records("orders", "o", 3)
    for rec in recs:
        del rec["items"]
    write(root, name, encode("orders", recs))
    load(root)
    assert_rejected(root, name, "required_column_missing", in_message="column items is missing")


def test_optional_missing_and_extra_columns_load_with_warnings(root: DataRoot) -> None:
    name = file_name("sessions")
    recs = records("sessions", "s", 4)
    for rec in recs:
        rec["referrer"] = "https://example.com"
    columns = [c for c in recs[0] if c != "campaign"]
    write(root, name, encode("sessions", recs, columns=columns))
    load(root)
    row = only_row(root)
    assert row["outcome"] == "loaded"
    warnings = {w["rule"]: w for w in json.loads(row["warnings"])}
    assert set(warnings) == {"extra_column", "optional_column_missing"}
    assert "'referrer'" in warnings["extra_column"]["message"]
    assert "campaign" in warnings["optional_column_missing"]["message"]
    with warehouse(root) as con:
        assert con.execute("select count(campaign), count(*) from raw.sessions").fetchone() == (
            0,
            4,
        )
        cols = [r[0] for r in con.execute("describe raw.sessions").fetchall()]
        assert "referrer" not in cols


def test_json_extra_and_missing_optional_fields(root: DataRoot) -> None:
    name = file_name("api_logs")
    recs = records("api_logs", "a", 3)
    for rec in recs:
        del rec["user_agent"]
        rec["trace_id"] = "t"
    write(root, name, encode("api_logs", recs))
    load(root)
    row = only_row(root)
    assert row["outcome"] == "loaded"
    assert {w["rule"] for w in json.loads(row["warnings"])} == {
        "extra_column",
        "optional_column_missing",
    }


def test_duplicate_header_column(root: DataRoot) -> None:
    name = file_name("users")
    columns = [*SCHEMAS.sources["users"].column_names, "email"]
    write(root, name, encode("users", records("users", "u", 2), columns=columns))
    load(root)
    assert_rejected(root, name, "file_wrong_shape", in_message="'email' appears more than once")


# --------------------------------------------------------------------------- valid oddities


def test_crlf_and_bom_load(root: DataRoot) -> None:
    name = file_name("sessions")
    recs = records("sessions", "s", 3)
    recs[1]["landing_page"] = "/multi\r\nline"  # a quoted field with a line break
    write(root, name, encode("sessions", recs, newline="\r\n", bom=True))
    other = file_name("products")
    write(root, other, encode("products", records("products", "p", 2), newline="\r\n", bom=True))
    jsonl = file_name("orders")
    write(root, jsonl, encode("orders", records("orders", "o", 2), newline="\r\n", bom=True))
    summary = load(root)
    assert summary.counts == {"loaded": 3}
    assert ids_and_rows(root, "sessions", name) == [("s:1", 1), ("s:2", 2), ("s:3", 3)]
    assert ids_and_rows(root, "products", other) == [("p:1", 1), ("p:2", 2)]
    assert ids_and_rows(root, "orders", jsonl) == [("o:1", 1), ("o:2", 2)]
    with warehouse(root) as con:
        pages = con.execute("select landing_page from raw.sessions order by _row_number")
        assert [p for (p,) in pages.fetchall()] == [
            "landing_page 1",
            "/multi\r\nline",
            "landing_page 3",
        ]
        ends = con.execute("select count(*) from raw.sessions where add_to_cart_count like '%\r'")
        assert ends.fetchone() == (0,)


# 20 MiB: a long line; 40 MiB: larger than the 32 MiB JSON buffers the loader sizes DuckDB's
# reader for (memory), which still loads.
@pytest.mark.parametrize("mib", [20, 40], ids=["20 MiB", "40 MiB, past the reader buffer"])
def test_a_long_json_line_loads(root: DataRoot, mib: int) -> None:
    name = file_name("api_logs")
    recs = records("api_logs", "a", 3)
    recs[1]["user_agent"] = "x" * (mib * 1024 * 1024)
    write(root, name, encode("api_logs", recs))
    load(root)
    assert only_row(root)["outcome"] == "loaded"
    with warehouse(root) as con:
        got = con.execute("select _row_number, length(user_agent) from raw.api_logs order by 1")
        assert got.fetchall() == [(1, 12), (2, mib * 1024 * 1024), (3, 12)]


def test_a_20_mb_csv_field_loads(root: DataRoot) -> None:
    name = file_name("users")
    recs = records("users", "u", 2)
    recs[0]["city"] = "y" * (20 * 1024 * 1024)
    write(root, name, encode("users", recs))
    load(root)
    assert only_row(root)["outcome"] == "loaded"


# --------------------------------------------------------------------------- names


def test_impossible_date_in_the_name(root: DataRoot) -> None:
    name = "sessions_2026-02-30.csv"
    write(root, name, encode("sessions", records("sessions", "s", 2)))
    load(root)
    row = assert_rejected(root, name, "invalid_file_name", in_message="2026-02-30 is not a real")
    assert (row["source"], row["business_date"]) == ("sessions", None)


def test_wrong_extension_for_the_source(root: DataRoot) -> None:
    name = f"orders_{DAY}.csv"
    write(root, name, b"order_id\n1\n")
    load(root)
    assert_rejected(root, name, "invalid_file_name", in_message="extension .csv does not fit")


def test_unknown_source(root: DataRoot) -> None:
    name = f"customers_{DAY}.csv"
    write(root, name, b"id\n1\n")
    load(root)
    row = assert_rejected(root, name, "unknown_source", outcome="unknown")
    assert (row["source"], row["business_date"], row["row_count"]) == (None, None, None)


def test_name_with_quotes_semicolons_and_spaces(root: DataRoot) -> None:
    """Names never reach SQL as text: unknown names are recorded verbatim, and a valid file in a
    folder with such characters is read through a bound, plain-named path."""
    odd = 'it\'s "x"; drop table raw._files; --.csv'
    write(root, odd, b"a,b\n1,2\n")
    folder = 'o\'neil; "drop" [x] *'
    valid_file(root, "sessions", 3, folder=folder)
    summary = load(root)
    assert summary.counts == {"unknown": 1, "loaded": 1}
    rows = {r["outcome"]: r for r in manifest(root)}
    assert rows["unknown"]["file_name"] == odd
    assert rows["unknown"]["archived_to"] == f"quarantine/{odd}"
    assert rows["loaded"]["file_path"] == f"raw/{folder}/{file_name('sessions')}"
    assert row_count(root, "sessions") == 3


# --------------------------------------------------------------------------- identity


def test_same_bytes_under_two_names(root: DataRoot) -> None:
    first = valid_file(root, "orders", 4, tag="same")
    second = root.raw / "again" / file_name("orders", suffix="resent")
    second.parent.mkdir()
    shutil.copy(first, second)
    load(root)
    rows = manifest(root)
    assert [r["outcome"] for r in rows] == ["loaded", "duplicate"]
    assert rows[1]["duplicate_of_file_id"] == rows[0]["file_id"]
    assert rows[1]["file_hash"] == rows[0]["file_hash"]
    assert reason(rows[1])["rule"] == "duplicate_file"
    assert rows[1]["archived_to"] == f"quarantine/{second.name}"
    assert row_count(root, "orders") == 4
    # the same bytes a third time, in a later run: one more duplicate row, no rows
    shutil.copy(root.root / rows[0]["archived_to"], root.raw / file_name("orders", suffix="x"))
    load(root)
    assert [r["outcome"] for r in manifest(root)] == ["loaded", "duplicate", "duplicate"]
    assert row_count(root, "orders") == 4


def test_new_bytes_under_a_seen_name_are_a_new_delivery(root: DataRoot) -> None:
    valid_file(root, "users", 2, tag="v1")
    load(root)
    valid_file(root, "users", 3, tag="v2")
    load(root)
    rows = manifest(root)
    assert [(r["outcome"], r["row_count"]) for r in rows] == [("loaded", 2), ("loaded", 3)]
    assert rows[0]["file_name"] == rows[1]["file_name"]
    assert rows[0]["file_hash"] != rows[1]["file_hash"]
    assert row_count(root, "users") == 5


def test_good_files_load_beside_bad_ones(root: DataRoot) -> None:
    valid_file(root, "sessions", 3)
    write(root, file_name("sessions", suffix="bad"), b"session_id;user_id\n1;2\n")
    valid_file(root, "orders", 2)
    summary = load(root)
    assert summary.counts == {"loaded": 2, "rejected": 1}
    assert row_count(root, "sessions") == 3 and row_count(root, "orders") == 2


# --------------------------------------------------------------------------- processes


def _cli(
    root: DataRoot, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecom_elt", "load", *args],
        env=env or subprocess_env(root, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_loads_and_prints_a_summary(root: DataRoot, tmp_path: Path) -> None:
    valid_file(root, "sessions", 3)
    write(root, "readme.txt", b"hi")
    done = _cli(root, tmp_path, "--mode", "copy")
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stderr and "unknown" in done.stderr and "total" in done.stderr
    assert "load finished" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_second_loader_stops_at_once(root: DataRoot, tmp_path: Path) -> None:
    path = valid_file(root, "sessions", 3)
    with pipeline_lock(root, "build"):
        started = time.monotonic()
        done = _cli(root, tmp_path)
        elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert "another pipeline step is running" in done.stderr
    assert "build, pid" in done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 15
    assert path.is_file() and not root.warehouse.exists()  # nothing touched
    load(root)  # and once the lock is free, the file loads
    assert row_count(root, "sessions") == 3


def test_lock_is_reentrant_in_one_process_and_exclusive_across_processes(
    root: DataRoot, tmp_path: Path
) -> None:
    with pipeline_lock(root, "elt"), pipeline_lock(root, "load"):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from ecom_elt.lock import pipeline_lock\n"
            "from ecom_elt.paths import data_root\n"
            "with pipeline_lock(data_root(sys.argv[1]), 'report'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n",
            str(root.root),
        ],
        env=subprocess_env(root, tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(PipelineBusy, match="report, pid"), pipeline_lock(root, "load"):
            pass
    finally:
        holder.kill()
        holder.wait()
    with pipeline_lock(root, "load"):  # released when its holder died
        pass


def test_malformed_config_exits_2_naming_file_and_key(
    root: DataRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    shutil.copytree(config_dir(), config)
    schemas = json.loads((config / "data_schemas.json").read_text())
    schemas["sources"]["sessions"]["format"] = "xml"
    (config / "data_schemas.json").write_text(json.dumps(schemas))
    valid_file(root, "sessions", 2)
    env = subprocess_env(root, tmp_path)
    env["ECOM_CONFIG_DIR"] = str(config)
    done = _cli(root, tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert "data_schemas.json" in done.stderr and "sources.sessions.format" in done.stderr
    assert "Traceback" not in done.stderr
    assert raw_files(root) == [file_name("sessions")]


def test_missing_data_folder_exits_2(root: DataRoot, tmp_path: Path) -> None:
    done = _cli(root, tmp_path, "--data-dir", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_bad_mode_exits_2(root: DataRoot, tmp_path: Path) -> None:
    assert _cli(root, tmp_path, "--mode", "shred").returncode == 2


def test_warehouse_held_by_another_process_is_a_clear_failure(
    root: DataRoot, tmp_path: Path
) -> None:
    valid_file(root, "sessions", 2)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('open', flush=True)\n"
            "time.sleep(30)\n",
            str(root.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = _cli(root, tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert "open in another process" in done.stderr
    assert "Traceback" not in done.stderr
    assert raw_files(root) == [file_name("sessions")]


def test_data_root_with_glob_and_quote_characters(tmp_path: Path) -> None:
    odd = data_root(tmp_path / "it's [a] *root*")
    odd.raw.mkdir(parents=True)
    valid_file(odd, "orders", 3)
    valid_file(odd, "api_logs", 2, gz=True)
    summary = load(odd)
    assert summary.counts == {"loaded": 2}
    assert row_count(odd, "orders") == 3 and row_count(odd, "api_logs") == 2
    assert not (odd.root / ".loader-links").exists()


def test_bad_files_among_many_of_a_source_are_rejected_alone(root: DataRoot) -> None:
    """A read error in a group of files is traced to its file, which gets the reason its own
    read gives; the files beside it load."""
    days = [f"2026-10-{d:02d}" for d in range(1, 21)]
    for day in days:
        valid_file(root, "orders", 8, day=day)
        valid_file(root, "users", 5, day=day)
    cut = root.raw / file_name("orders", days[6])
    cut.write_bytes(encode("orders", records("orders", "o", 5))[:-25])
    lines = encode("orders", records("orders", "n", 4)).decode().splitlines()
    lines.insert(2, "[1, 2, 3]")
    (root.raw / file_name("orders", days[13])).write_text("\n".join(lines))
    wide = encode("users", records("users", "w", 30)).decode() + "a,b,c\n"
    (root.raw / file_name("users", days[9])).write_text(wide)
    columns = list(SCHEMAS.sources["users"].column_names)
    (root.raw / file_name("users", days[15])).write_bytes(encode("users", [], columns=columns))
    summary = load(root)
    assert summary.counts == {"loaded": 36, "rejected": 4}
    rejected = {r["file_name"]: reason(r) for r in manifest(root) if r["outcome"] == "rejected"}
    assert "line 5 is not valid JSON" in rejected[file_name("orders", days[6])]["message"]
    assert "line 3 is a JSON array" in rejected[file_name("orders", days[13])]["message"]
    assert "line 32 has 3 fields" in rejected[file_name("users", days[9])]["message"]
    assert rejected[file_name("users", days[15])]["rule"] == "file_empty"
    assert row_count(root, "orders") == 18 * 8 and row_count(root, "users") == 18 * 5


@pytest.mark.parametrize("gz", [False, True])
def test_a_bad_byte_far_into_a_file_names_its_line(root: DataRoot, gz: bool) -> None:
    """Lines are counted only when a problem is found (by reading the file again)."""
    name = file_name("users", gz=gz)
    recs = records("users", "u", 30_000)  # about 4 MB: the bad byte is many chunks in
    recs[25_000]["city"] = "Besançon"
    data = encode("users", recs).decode().encode("latin-1")
    write(root, name, gzip.compress(data) if gz else data)
    load(root)
    row = assert_rejected(root, name, "file_not_utf8", in_message="line 25002, column")
    assert reason(row)["example"].startswith("line 25002: u:25001,")
