"""`thresher serve-model` as a user runs it: a subprocess on a loopback port, real HTTP requests.

Every answer is checked against batch `predict()` on the same rows. Servers are stopped by PID.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import pytest
import skops.io

from flows.train_outputs import run_train
from pipelines.columns import ColumnNames
from pipelines.ingest import ingest
from pipelines.predict import predict
from pipelines.task import TaskSpec
from pipelines.train import load_model
from pipelines.train.frames import model_classes, proba_column
from pipelines.train.options import LearningCurveOptions, LightGBMOptions, TrainOptions
from serving.records import required_columns
from tests.support.browser import open_served_page
from tests.support.server import REPO, free_port, serve

PENGUINS = Path(__file__).resolve().parent / "data" / "real" / "penguins_raw.csv"
MAX_ROWS = 60
MAX_BODY = 120_000
TIMEOUT = 30.0


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    result = ingest(PENGUINS)
    names = ColumnNames.from_header_mapping(result.data.columns, result.report.header_mapping)
    folder = tmp_path_factory.mktemp("served_penguins")
    options = TrainOptions(
        folds=0,
        num_threads=1,
        baselines=False,
        learning_curve=LearningCurveOptions(enabled=False),
        lightgbm=LightGBMOptions(max_rounds=40, early_stopping_rounds=0, num_leaves=8),
    )
    run_train(result.data, folder, task=TaskSpec(target="Species"), options=options, names=names)
    return folder


@pytest.fixture(scope="module")
def model(model_dir):
    return load_model(model_dir)


@pytest.fixture(scope="module")
def rows(model_dir, model) -> pl.DataFrame:
    """Held-out rows as the model's input columns (normalised names, training types)."""
    holdout = pl.read_parquet(model_dir / "holdout.parquet")
    return holdout.select(c.name for c in model.input_schema.columns)


def _records(frame: pl.DataFrame) -> list[dict]:
    return json.loads(frame.write_json())


@pytest.fixture(scope="module", params=["lightgbm", "onnx"])
def server(request, model_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("server_log") / f"{request.param}.log"
    args = ["--backend", request.param, "--max-rows", str(MAX_ROWS)]
    with serve(model_dir, log, *args, "--max-body-bytes", str(MAX_BODY)) as running:
        yield running, request.param


def _tolerance(backend: str) -> float:
    return 1e-12 if backend == "lightgbm" else 1e-5


def _post(url: str, body: object) -> httpx.Response:
    return httpx.post(f"{url}/predict", json=body, timeout=TIMEOUT)


def _assert_matches(entries: list[dict], expected: pl.DataFrame, model, backend: str) -> None:
    """Each predicted entry equals `predict()`'s row: same class, probabilities to tolerance."""
    classes = model_classes(model.task)
    assert len(entries) == expected.height
    for entry, want in zip(entries, expected.iter_rows(named=True), strict=True):
        assert entry["status"] == "predicted", entry
        if backend == "lightgbm":
            assert entry["prediction"] == want["prediction"]
        got = np.array([entry["probabilities"][c] for c in classes])
        ref = np.array([want[proba_column(c)] for c in classes])
        np.testing.assert_allclose(got, ref, rtol=0, atol=_tolerance(backend))
        if backend == "onnx" and ref.max() - np.sort(ref)[-2] > 1e-4:
            assert entry["prediction"] == want["prediction"]


def test_good_rows_get_the_answers_of_batch_predict(server, model, rows):
    running, backend = server
    batch = rows.head(40)
    response = _post(running.url, _records(batch))
    assert response.status_code == 200, response.text
    payload = response.json()
    assert (payload["records"], payload["predicted"], payload["rejected"]) == (40, 40, 0)
    assert [e["index"] for e in payload["results"]] == list(range(40))
    expected = predict(model, batch)
    assert expected.report.rows_predicted == 40
    _assert_matches(payload["results"], expected.predictions, model, backend)


def test_one_record_object_and_source_file_names(server, model, rows):
    running, backend = server
    record = _records(rows.head(1))[0]
    by_source_name = {model.input_schema.column(k).original_name: v for k, v in record.items()}
    assert "Culmen Length (mm)" in by_source_name
    expected = predict(model, rows.head(1)).predictions
    for body in (record, by_source_name):
        response = _post(running.url, body)
        assert response.status_code == 200, response.text
        _assert_matches(response.json()["results"], expected, model, backend)


def test_columns_the_model_does_not_use_may_be_left_out(server, model, rows):
    running, backend = server
    required = required_columns(model)
    optional = [c.name for c in model.input_schema.columns if c.name not in required]
    assert optional and "flipper_length_mm" in required
    batch = rows.head(5)
    response = _post(running.url, _records(batch.select(required)))
    assert response.status_code == 200, response.text
    _assert_matches(response.json()["results"], predict(model, batch).predictions, model, backend)
    assert not any(
        w.startswith(tuple(f"`{n}`" for n in optional)) for w in response.json()["warnings"]
    )


def test_mixed_batch_answers_good_rows_and_gives_reasons_for_the_rest(server, model, rows):
    running, backend = server
    good = _records(rows.slice(0, 3))
    wrong_type = {**good[0], "culmen_length_mm": "long", "body_mass_g": "heavy"}
    as_text = {**good[1], "culmen_length_mm": str(good[1]["culmen_length_mm"])}
    unseen = {**good[2], "island": "Atlantis"}
    missing = {k: v for k, v in good[0].items() if k != "flipper_length_mm"}
    nested = {**good[0], "sex": ["MALE"]}
    body = [good[0], wrong_type, as_text, unseen, missing, nested, 7, good[2]]
    response = _post(running.url, body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "predicted", "rejected", "predicted", "predicted", "rejected", "rejected", "rejected",
        "predicted",
    ]  # fmt: skip
    reasons = {
        r["index"]: {(x["field"], x["kind"]) for x in r["reasons"]}
        for r in results
        if r["status"] == "rejected"
    }
    assert reasons[1] == {("culmen_length_mm", "wrong_type"), ("body_mass_g", "wrong_type")}
    assert "'long' is not a number" in results[1]["reasons"][0]["reason"]
    assert reasons[4] == {("flipper_length_mm", "missing_field")}
    assert reasons[5] == {("sex", "nested_value")}
    assert reasons[6] == {("*", "not_a_record")}
    # the good, text and unseen-category rows answer as batch predict() does on them
    first3 = rows.slice(0, 3)
    reference = pl.concat(
        [first3[0], first3[1], first3[2].with_columns(island=pl.lit("Atlantis")), first3[2]]
    )
    expected = predict(model, reference).predictions
    _assert_matches([results[i] for i in (0, 2, 3, 7)], expected, model, backend)
    assert any(
        "Atlantis" in note and "not seen in training" in note for note in results[3]["notes"]
    )
    assert "notes" not in results[0]


def test_every_record_bad_is_422_naming_field_and_reason(server, rows):
    running, _ = server
    record = _records(rows.head(1))[0]
    response = _post(running.url, [{**record, "flipper_length_mm": "wide"}])
    assert response.status_code == 422
    payload = response.json()
    assert "`flipper_length_mm`" in payload["error"] and "is not a whole number" in payload["error"]
    assert "\n" not in payload["error"]
    assert payload["results"][0]["reasons"][0]["field"] == "flipper_length_mm"
    for body in (b"42", b'"text"', b"[]", b"[1, 2]", b"null"):
        response = httpx.post(f"{running.url}/predict", content=body, timeout=TIMEOUT)
        assert response.status_code == 422, (body, response.text)
        assert set(response.json()) <= {"error", "results"}


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'[{"a": 1},', b"", b"\xff\xfe", b'{"a": NaN}'],
    ids=["bare-key", "truncated", "empty", "not-utf8", "nan"],
)
def test_malformed_json_is_400_in_one_line(server, body):
    running, _ = server
    response = httpx.post(f"{running.url}/predict", content=body, timeout=TIMEOUT)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error.startswith("request body is not valid JSON") and "\n" not in error
    assert "Traceback" not in response.text


def test_limits_are_413(server, rows):
    running, _ = server
    record = _records(rows.head(1))[0]
    too_many = _post(running.url, [record] * (MAX_ROWS + 1))
    assert too_many.status_code == 413 and "limit of 60" in too_many.json()["error"]
    oversize = b"[" + b" " * MAX_BODY + b"]"
    declared = httpx.post(f"{running.url}/predict", content=oversize, timeout=TIMEOUT)
    assert declared.status_code == 413 and "120,000 bytes" in declared.json()["error"]

    def chunks():  # no Content-Length: the server must count the bytes itself
        yield b"["
        for _ in range(200):
            yield b" " * 1000
        yield b"]"

    streamed = httpx.post(f"{running.url}/predict", content=chunks(), timeout=TIMEOUT)
    assert streamed.status_code == 413
    assert httpx.get(f"{running.url}/health", timeout=TIMEOUT).status_code == 200


def test_concurrent_requests_each_get_their_own_answer(server, model, rows):
    running, backend = server
    batches = [rows.slice(i * 3, 1 + i % 3) for i in range(12)]
    expected = [predict(model, b).predictions for b in batches]
    with httpx.Client(timeout=TIMEOUT) as client, ThreadPoolExecutor(4) as pool:
        responses = list(
            pool.map(lambda b: client.post(f"{running.url}/predict", json=_records(b)), batches)
        )
    for response, want in zip(responses, expected, strict=True):
        assert response.status_code == 200, response.text
        _assert_matches(response.json()["results"], want, model, backend)


def test_health_model_schema_openapi_and_metrics(server, model):
    running, backend = server
    health = httpx.get(f"{running.url}/health", timeout=TIMEOUT).json()
    assert health["status"] == "ok" and health["backend"] == backend
    assert health["classes"] == model_classes(model.task) and health["max_rows"] == MAX_ROWS
    card = httpx.get(f"{running.url}/model", timeout=TIMEOUT).json()
    assert card["task"]["target"] == model.task.target
    schema = httpx.get(f"{running.url}/schema", timeout=TIMEOUT).json()
    record = schema["$defs"]["record"]
    assert record["required"] == required_columns(model)
    assert set(record["properties"]) == {c.name for c in model.input_schema.columns}
    assert record["properties"]["culmen_length_mm"]["type"] == ["number", "null"]
    assert schema["oneOf"][1]["maxItems"] == MAX_ROWS
    openapi = httpx.get(f"{running.url}/openapi.json", timeout=TIMEOUT).json()
    body = openapi["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["oneOf"][0]["properties"] == record["properties"]
    _post(running.url, [{"culmen_length_mm": 1}])  # a missing-field rejection to count
    httpx.post(f"{running.url}/predict", content=b"{", timeout=TIMEOUT)
    text = httpx.get(f"{running.url}/metrics", timeout=TIMEOUT).text
    assert 'thresher_record_rejections_total{reason="missing_field"}' in text
    assert 'thresher_request_rejections_total{reason="malformed_json"}' in text
    assert 'thresher_http_requests_total{method="POST",route="/predict",status="200"}' in text
    assert 'thresher_http_request_duration_seconds_bucket{le="0.01",route="/predict"}' in text
    assert f'thresher_model_info{{backend="{backend}"' in text
    missing = httpx.get(f"{running.url}/nowhere", timeout=TIMEOUT)
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}


@pytest.mark.browser
def test_docs_page_is_swagger_served_by_us_with_no_other_request(server):
    """`/docs` renders the API from local assets: no CDN, no validator badge, no fonts."""
    running, _ = server
    check = open_served_page(f"{running.url}/docs", wait_selector=".opblock-summary-path")
    assert check.external_requests == []
    assert check.page_errors == [] and check.console_errors == []
    assert "/predict" in check.body_text
    assert httpx.get(f"{running.url}/redoc", timeout=TIMEOUT).status_code == 404


def _metric(text: str, line_start: str) -> float:
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(line_start)]
    assert len(values) == 1, (line_start, text)
    return values[0]


def test_metrics_add_up_every_worker(model_dir, rows, tmp_path):
    """With --workers 2 each scrape counts the requests both workers answered."""
    records = _records(rows.head(3))
    with serve(model_dir, tmp_path / "workers.log", "--workers", "2") as running:
        for _ in range(20):  # a new connection each time, so both workers get some
            assert _post(running.url, records).status_code == 200
        for _ in range(6):
            text = httpx.get(f"{running.url}/metrics", timeout=TIMEOUT).text
            assert _metric(text, 'thresher_records_total{outcome="predicted"}') == 60
            assert (
                _metric(text, 'thresher_http_request_duration_seconds_count{route="/predict"}')
                == 20
            )
    log = (tmp_path / "workers.log").read_text()
    assert log.count("Started server process") >= 2 or "Started parent process" in log


def _serve_once(model_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "flows.cli",
        "serve-model",
        str(model_dir),
        "--port",
        str(free_port()),
        *args,
    ]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)


def test_a_directory_with_an_unexpected_artifact_is_refused_at_start_up(model_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    skops.io.dump({"payload": np.random.default_rng(0)}, broken / "features.skops")
    finished = _serve_once(broken)
    assert finished.returncode == 2
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and "features.skops` was refused" in lines[0], finished.stderr
    no_onnx = tmp_path / "no_onnx"
    shutil.copytree(model_dir, no_onnx)
    (no_onnx / "model.onnx").unlink()
    finished = _serve_once(no_onnx, "--backend", "onnx")
    assert finished.returncode == 2 and "has no `model.onnx`" in finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1


def test_serving_does_not_import_prefect():
    code = "import sys, serving; print('prefect' in sys.modules)"
    finished = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=180
    )
    assert finished.stdout.strip() == "False", finished.stderr


def test_batch_predict_with_every_row_quarantined_answers_no_rows(model, rows):
    bad = rows.head(3).with_columns(pl.lit("wide").alias("flipper_length_mm"))
    result = predict(model, bad)
    assert (result.report.rows_predicted, result.report.rows_quarantined) == (0, 3)
    assert result.predictions.height == 0
    assert {"prediction", *(proba_column(c) for c in model_classes(model.task))} <= set(
        result.predictions.columns
    )


def test_notes_name_unseen_values_out_of_range_numbers_and_unseen_nulls(model, rows):
    """In-process: each kind of note on the record that earned it, none on a clean record."""
    from serving.records import answer_records

    schema = model.input_schema
    used = set(required_columns(model))
    number = next(
        c
        for c in schema.columns
        if c.name in used and c.maximum is not None and c.categories is None
    )
    never_null = next(
        c for c in schema.columns if c.name in used and not c.nullable and c.name != number.name
    )
    text = next(
        c for c in schema.columns if c.name in used and c.categories and c.dtype == "String"
    )
    good = _records(rows.head(1))[0]
    records = [
        good,
        {**good, number.name: number.maximum * 10 + 1},
        {**good, never_null.name: None},
        {**good, text.name: "  never seen  "},
    ]
    answer = answer_records(model, records)
    notes = [r.get("notes", []) for r in answer.results]
    assert notes[0] == []
    assert any(f"`{number.name}` =" in n and "outside the training range" in n for n in notes[1])
    assert any(f"`{never_null.name}` is null" in n for n in notes[2])
    assert any(f"`{text.name}` = 'never seen' was not seen" in n for n in notes[3])
    assert answer.notes["out_of_range"] >= 1 and answer.notes["unseen_category"] >= 1
